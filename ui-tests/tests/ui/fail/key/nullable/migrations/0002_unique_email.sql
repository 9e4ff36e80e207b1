CREATE UNIQUE INDEX users_email ON users (tenant_id, email);
