CREATE VIEW active_projects AS
    SELECT tenant_id, id, name, description
    FROM projects
    WHERE NOT archived;

ALTER TYPE plan ADD VALUE 'enterprise';
