CREATE TABLE users (
    tenant_id text NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    email text,
    PRIMARY KEY (tenant_id, id)
);
