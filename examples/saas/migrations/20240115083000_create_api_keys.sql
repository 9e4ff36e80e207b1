CREATE TABLE api_keys (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id      bigint NOT NULL,
    prefix       char(8) NOT NULL,
    secret_hash  bytea NOT NULL,
    scopes       text[] NOT NULL DEFAULT '{}',
    last_used_at timestamp,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

-- Keys are looked up by their public prefix; a prefix is unique within a tenant.
CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys (tenant_id, prefix);
