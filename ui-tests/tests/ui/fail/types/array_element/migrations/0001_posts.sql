CREATE TABLE posts (
    tenant_id text NOT NULL,
    id bigint PRIMARY KEY,
    tags text[] NOT NULL
);
