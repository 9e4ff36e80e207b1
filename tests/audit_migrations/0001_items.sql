-- The table behind the audit tests' contract (tests/tests/audit*.rs). The MariaDB and
-- SQLite tests create the same table in their dialect.
CREATE TYPE item_status AS ENUM ('active', 'archived');

CREATE TABLE audit_items (
    tenant     text NOT NULL,
    id         bigint NOT NULL,
    name       text NOT NULL,
    price      numeric(10, 2) NOT NULL,
    data       bytea NOT NULL,
    updated_at timestamptz NOT NULL,
    note       text,
    status     item_status NOT NULL,
    PRIMARY KEY (tenant, id)
);
