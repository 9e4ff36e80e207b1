CREATE TABLE users (
    id bigint PRIMARY KEY,
    name text NOT NULL
);
