CREATE TABLE readings (
    tenant_id text NOT NULL,
    sensor bigint NOT NULL,
    at double precision NOT NULL,
    value double precision NOT NULL,
    PRIMARY KEY (tenant_id, sensor, at)
);
