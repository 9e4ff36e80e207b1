-- `pg_column_size` and `pg_backend_pid` are functions whose result types the replay does
-- not model: `size` and `backend` exist with a type it does not know (both `integer` on
-- PostgreSQL 15); `backend` is made NOT NULL.
CREATE TABLE readings (tenant_id bigint NOT NULL, id bigint NOT NULL, payload text, PRIMARY KEY (tenant_id, id));
CREATE TABLE reading_sizes AS SELECT tenant_id, id, pg_column_size(payload) AS size, pg_backend_pid() AS backend FROM readings;
ALTER TABLE reading_sizes ALTER COLUMN tenant_id SET NOT NULL, ALTER COLUMN id SET NOT NULL, ALTER COLUMN backend SET NOT NULL, ADD PRIMARY KEY (tenant_id, id);
