ALTER TABLE users
    ALTER COLUMN name TYPE integer USING 0;
