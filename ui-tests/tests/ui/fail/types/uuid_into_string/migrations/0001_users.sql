CREATE TABLE users (
    tenant_id text NOT NULL,
    id bigint NOT NULL,
    owner uuid NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
