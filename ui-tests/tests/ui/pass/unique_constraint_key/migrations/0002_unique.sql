ALTER TABLE users ADD CONSTRAINT users_email UNIQUE (tenant_id, email);
