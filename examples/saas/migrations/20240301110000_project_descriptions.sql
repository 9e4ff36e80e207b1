ALTER TABLE projects ADD COLUMN description text;
UPDATE projects SET description = '' WHERE description IS NULL;
ALTER TABLE projects ALTER COLUMN description SET NOT NULL;

-- Projects outlive the users who created them.
ALTER TABLE projects ALTER COLUMN owner_id DROP NOT NULL;
