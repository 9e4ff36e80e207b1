CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');

CREATE TABLE users (
    tenant_id text NOT NULL,
    id bigint NOT NULL,
    mood mood NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
