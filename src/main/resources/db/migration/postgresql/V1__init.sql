-- Herald schema, PostgreSQL dialect. Times are epoch milliseconds; JSON values are TEXT.
-- Ids and names sort byte-wise (COLLATE "C"), as in SQLite: list iterators rely on it.
-- Keep in step with ../sqlite/V1__init.sql: one design, two dialects.

CREATE TABLE application (
    id          TEXT COLLATE "C" PRIMARY KEY,
    org_id      TEXT    NOT NULL,
    uid         TEXT,
    name        TEXT COLLATE "C" NOT NULL,
    rate_limit  INTEGER,
    metadata    TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    deleted     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX application_org_uid ON application (org_id, uid) WHERE uid IS NOT NULL AND NOT deleted;
CREATE INDEX application_org_id ON application (org_id, id);

CREATE TABLE event_type (
    id            TEXT COLLATE "C" PRIMARY KEY,
    org_id        TEXT    NOT NULL,
    name          TEXT COLLATE "C" NOT NULL,
    description   TEXT    NOT NULL,
    archived      BOOLEAN NOT NULL DEFAULT FALSE,
    deprecated    BOOLEAN NOT NULL DEFAULT FALSE,
    feature_flag  TEXT,
    schemas       TEXT,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX event_type_org_name ON event_type (org_id, name);

CREATE TABLE endpoint (
    id           TEXT COLLATE "C" PRIMARY KEY,
    app_id       TEXT    NOT NULL REFERENCES application (id),
    uid          TEXT,
    url          TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    rate_limit   INTEGER,
    disabled     BOOLEAN NOT NULL DEFAULT FALSE,
    event_types  TEXT,
    channels     TEXT,
    metadata     TEXT    NOT NULL DEFAULT '{}',
    headers      TEXT    NOT NULL DEFAULT '{}',
    secret       TEXT    NOT NULL,
    old_secrets  TEXT    NOT NULL DEFAULT '[]',
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    deleted      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX endpoint_app_uid ON endpoint (app_id, uid) WHERE uid IS NOT NULL AND NOT deleted;
CREATE INDEX endpoint_app_id ON endpoint (app_id, id);

CREATE TABLE message (
    id          TEXT COLLATE "C" PRIMARY KEY,
    app_id      TEXT    NOT NULL REFERENCES application (id),
    event_type  TEXT    NOT NULL,
    uid         TEXT,
    channels    TEXT,
    tags        TEXT,
    payload     TEXT,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX message_app_uid ON message (app_id, uid) WHERE uid IS NOT NULL;
-- Lists run newest first by (created_at, id) within an app; before/after bound created_at.
CREATE INDEX message_app_created ON message (app_id, created_at, id);

CREATE TABLE idempotency (
    key         TEXT PRIMARY KEY,
    status      BIGINT  NOT NULL,
    body        TEXT,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX idempotency_created_at ON idempotency (created_at);
