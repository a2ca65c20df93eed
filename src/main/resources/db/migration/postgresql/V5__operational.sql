-- Operational webhooks, PostgreSQL dialect (keep in step with ../sqlite).
-- internal: the hidden application of an organisation that carries its operational webhooks;
-- never listed nor resolved by the application API. At most one live one per organisation.
ALTER TABLE application ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX application_org_internal ON application (org_id) WHERE internal AND NOT deleted;
