CREATE TYPE plan AS ENUM ('free', 'pro');

ALTER TABLE tenants ADD COLUMN plan plan NOT NULL DEFAULT 'free';
