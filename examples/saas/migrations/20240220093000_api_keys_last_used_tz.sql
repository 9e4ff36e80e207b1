-- last_used_at was stored in UTC without a zone; make the zone explicit.
ALTER TABLE api_keys
    ALTER COLUMN last_used_at TYPE timestamptz USING last_used_at AT TIME ZONE 'UTC';
