-- Operational webhooks, SQLite dialect (keep in step with ../postgresql).
-- internal: the hidden application of an organisation that carries its operational webhooks;
-- never listed nor resolved by the application API. At most one live one per organisation.
ALTER TABLE application ADD COLUMN internal BOOLEAN NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX application_org_internal ON application (org_id) WHERE internal = 1 AND deleted = 0;
