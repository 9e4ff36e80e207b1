-- The `users` table of the runtime examples (`embedded`, `service`).
CREATE TABLE users (
    tenant_id text NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
