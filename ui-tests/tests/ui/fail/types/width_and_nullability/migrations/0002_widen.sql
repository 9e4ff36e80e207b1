-- Ages and scores outgrew integer; ranks too.
ALTER TABLE people ALTER COLUMN age TYPE bigint;
ALTER TABLE people ALTER COLUMN score TYPE bigint;
ALTER TABLE people ALTER COLUMN rank TYPE bigint;
