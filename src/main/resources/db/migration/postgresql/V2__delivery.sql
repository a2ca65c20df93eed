-- The delivery ledger, PostgreSQL dialect. Keep in step with ../sqlite/V2__delivery.sql.
-- One row per (message, endpoint) from the fan-out, plus one per manual resend; the database
-- is the truth of every pending delivery, the queue only carries its id.

CREATE TABLE delivery (
    id               TEXT COLLATE "C" PRIMARY KEY,
    app_id           TEXT COLLATE "C" NOT NULL,
    msg_id           TEXT COLLATE "C" NOT NULL REFERENCES message (id),
    endp_id          TEXT COLLATE "C" NOT NULL REFERENCES endpoint (id),
    -- Svix's MessageStatus: 0 success, 1 pending, 2 fail, 3 sending
    status           INTEGER NOT NULL,
    -- 0 scheduled (retried on the schedule), 1 manual (one attempt, never retried)
    trigger_type     INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    -- When the next attempt is due; NULL once the delivery has ended.
    next_attempt_at  BIGINT,
    -- 'queued' while handed to the queue, else the token of the worker attempting it.
    lease_owner      TEXT,
    lease_until      BIGINT,
    -- How it ended: delivered, exhausted, endpoint_disabled, endpoint_deleted, message_expunged.
    outcome          TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX delivery_due ON delivery (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX delivery_msg ON delivery (msg_id, endp_id);
CREATE INDEX delivery_endp ON delivery (endp_id, msg_id);

CREATE TABLE message_attempt (
    id                    TEXT COLLATE "C" PRIMARY KEY,
    app_id                TEXT COLLATE "C" NOT NULL,
    msg_id                TEXT COLLATE "C" NOT NULL,
    endp_id               TEXT COLLATE "C" NOT NULL,
    delivery_id           TEXT COLLATE "C" NOT NULL,
    url                   TEXT    NOT NULL,
    -- 0 success, 2 fail
    status                INTEGER NOT NULL,
    -- The HTTP status, or 0 when no response came (timeout, refused, SSRF).
    response_status_code  INTEGER NOT NULL,
    -- The first 20 KiB of the response body, or why no response came; NULL once expunged.
    response              TEXT,
    response_duration_ms  BIGINT  NOT NULL,
    trigger_type          INTEGER NOT NULL,
    created_at            BIGINT  NOT NULL
);
CREATE INDEX message_attempt_msg ON message_attempt (msg_id, id);
CREATE INDEX message_attempt_endp ON message_attempt (endp_id, id);
