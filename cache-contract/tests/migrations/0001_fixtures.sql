-- The tables behind the structs of cache-contract's own unit tests, integration tests,
-- benches and fuzz targets (`#[derive(CacheContract)]` replays this directory).
CREATE TABLE users (
    tenant text NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    email text,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE orders (
    tenant text NOT NULL,
    id bigint NOT NULL,
    total bigint NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE "rows" (
    tenant text NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    tags text[] NOT NULL,
    score integer,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE accounts (
    tenant_id text NOT NULL,
    id bigint NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    plan text NOT NULL,
    balance_cents bigint NOT NULL,
    active boolean NOT NULL,
    tags text[] NOT NULL,
    scores integer[] NOT NULL,
    bio text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
