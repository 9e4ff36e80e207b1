-- The table behind the crate-level doc example.
CREATE TABLE users (
    tenant_id text NOT NULL,
    id bigserial,
    name text NOT NULL,
    email text,
    PRIMARY KEY (tenant_id, id)
);
