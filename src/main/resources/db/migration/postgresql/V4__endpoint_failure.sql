-- The endpoint failure lifecycle, PostgreSQL dialect (keep in step with ../sqlite).
-- failing_since: when a delivery to the endpoint was first exhausted since its last success.
ALTER TABLE endpoint ADD COLUMN failing_since BIGINT;
