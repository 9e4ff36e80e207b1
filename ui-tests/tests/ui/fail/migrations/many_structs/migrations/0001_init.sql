CREATE TABLE users (
    tenant_id text NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE projects (
    tenant_id text NOT NULL,
    id bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
