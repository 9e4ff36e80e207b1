-- sessions moved to Redis
DROP TABLE sessions;
