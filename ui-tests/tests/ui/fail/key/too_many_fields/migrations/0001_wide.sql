CREATE TABLE wide (
    tenant_id text NOT NULL,
    c0 bigint NOT NULL,
    c1 bigint NOT NULL,
    c2 bigint NOT NULL,
    c3 bigint NOT NULL,
    c4 bigint NOT NULL,
    c5 bigint NOT NULL,
    c6 bigint NOT NULL,
    c7 bigint NOT NULL,
    c8 bigint NOT NULL,
    c9 bigint NOT NULL,
    c10 bigint NOT NULL,
    c11 bigint NOT NULL,
    c12 bigint NOT NULL,
    PRIMARY KEY (tenant_id, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12)
);
