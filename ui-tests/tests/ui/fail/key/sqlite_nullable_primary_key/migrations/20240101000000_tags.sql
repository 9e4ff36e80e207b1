CREATE TABLE tags (
    tenant_id TEXT NOT NULL,
    slug TEXT PRIMARY KEY
);
