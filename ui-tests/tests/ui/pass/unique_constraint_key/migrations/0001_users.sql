CREATE TABLE users (
    tenant_id uuid NOT NULL,
    id bigint PRIMARY KEY,
    email text NOT NULL
);
