-- A migration that undoes its own statements: ROLLBACK discards the transaction they
-- ran in, which the replay does not follow.
BEGIN;
CREATE TABLE undone (id int PRIMARY KEY);
ROLLBACK;
CREATE TABLE kept (id int PRIMARY KEY);
