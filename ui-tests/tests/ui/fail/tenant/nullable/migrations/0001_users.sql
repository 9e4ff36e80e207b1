CREATE TABLE users (
    tenant_id text,
    id bigint PRIMARY KEY
);
