ALTER TABLE users ADD COLUMN age integer;

ALTER TABLE users ADD COLUM nickname text;
