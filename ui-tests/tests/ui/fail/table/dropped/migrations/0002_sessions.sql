CREATE TABLE sessions (tenant_id text NOT NULL, id bigint PRIMARY KEY);
