-- Herald schema, SQLite dialect. Times are epoch milliseconds; JSON values are TEXT.
-- Keep in step with ../postgresql/V1__init.sql: one design, two dialects.

CREATE TABLE application (
    id          TEXT PRIMARY KEY,
    org_id      TEXT    NOT NULL,
    uid         TEXT,
    name        TEXT    NOT NULL,
    rate_limit  INTEGER,
    metadata    TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted     BOOLEAN NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX application_org_uid ON application (org_id, uid) WHERE uid IS NOT NULL AND deleted = 0;
CREATE INDEX application_org_id ON application (org_id, id);

CREATE TABLE event_type (
    id            TEXT PRIMARY KEY,
    org_id        TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    archived      BOOLEAN NOT NULL DEFAULT 0,
    deprecated    BOOLEAN NOT NULL DEFAULT 0,
    feature_flag  TEXT,
    schemas       TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX event_type_org_name ON event_type (org_id, name);

CREATE TABLE endpoint (
    id           TEXT PRIMARY KEY,
    app_id       TEXT    NOT NULL REFERENCES application (id),
    uid          TEXT,
    url          TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    rate_limit   INTEGER,
    disabled     BOOLEAN NOT NULL DEFAULT 0,
    event_types  TEXT,
    channels     TEXT,
    metadata     TEXT    NOT NULL DEFAULT '{}',
    headers      TEXT    NOT NULL DEFAULT '{}',
    secret       TEXT    NOT NULL,
    old_secrets  TEXT    NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    deleted      BOOLEAN NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX endpoint_app_uid ON endpoint (app_id, uid) WHERE uid IS NOT NULL AND deleted = 0;
CREATE INDEX endpoint_app_id ON endpoint (app_id, id);

CREATE TABLE message (
    id          TEXT PRIMARY KEY,
    app_id      TEXT    NOT NULL REFERENCES application (id),
    event_type  TEXT    NOT NULL,
    uid         TEXT,
    channels    TEXT,
    tags        TEXT,
    payload     TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX message_app_uid ON message (app_id, uid) WHERE uid IS NOT NULL;
-- Lists run newest first by (created_at, id) within an app; before/after bound created_at.
CREATE INDEX message_app_created ON message (app_id, created_at, id);

CREATE TABLE idempotency (
    key         TEXT PRIMARY KEY,
    status      INTEGER NOT NULL,
    body        TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX idempotency_created_at ON idempotency (created_at);
