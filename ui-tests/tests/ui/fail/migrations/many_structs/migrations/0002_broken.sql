ALTER TABLE users ADD COLUM nickname text;
ALTER TABLE projects ALTER COLUMN id TYPE;
