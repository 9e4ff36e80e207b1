CREATE TABLE shifts (
    tenant_id text NOT NULL,
    id bigint PRIMARY KEY,
    starts time with time zone NOT NULL
);
