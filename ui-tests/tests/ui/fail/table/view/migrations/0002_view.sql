CREATE VIEW active_users AS
    SELECT * FROM users WHERE email IS NOT NULL;
