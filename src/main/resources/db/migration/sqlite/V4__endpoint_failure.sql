-- The endpoint failure lifecycle, SQLite dialect (keep in step with ../postgresql).
-- failing_since: when a delivery to the endpoint was first exhausted since its last success.
ALTER TABLE endpoint ADD COLUMN failing_since INTEGER;
