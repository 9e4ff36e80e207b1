CREATE TABLE projects (
    tenant_id uuid NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (tenant_id, slug)
);
