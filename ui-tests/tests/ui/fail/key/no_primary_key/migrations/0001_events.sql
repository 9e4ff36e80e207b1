CREATE TABLE events (
    tenant_id text NOT NULL,
    kind text NOT NULL
);
