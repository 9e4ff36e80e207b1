CREATE TABLE projects (
    tenant_id uuid NOT NULL,
    id        bigserial,
    owner_id  bigint NOT NULL,
    name      text NOT NULL,
    archived  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id)
);

CREATE INDEX projects_owner_idx ON projects (tenant_id, owner_id);
