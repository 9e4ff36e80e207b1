CREATE TABLE people (
    tenant_id text NOT NULL,
    id bigint NOT NULL,
    age integer,
    score integer,
    rank integer NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
