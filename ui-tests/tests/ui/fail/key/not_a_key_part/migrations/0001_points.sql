CREATE TABLE points (
    tenant_id text NOT NULL,
    x double precision NOT NULL,
    PRIMARY KEY (tenant_id, x)
);
