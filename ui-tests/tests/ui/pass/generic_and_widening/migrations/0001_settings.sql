CREATE TABLE settings (
    tenant_id text NOT NULL,
    id integer NOT NULL,
    small smallint NOT NULL,
    value jsonb NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
