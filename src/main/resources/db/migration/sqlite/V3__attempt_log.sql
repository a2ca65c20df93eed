-- Indexes for the attempt log API, sqlite dialect. Keep in step with ../postgresql/V3__attempt_log.sql.
-- Attempt lists run newest first by (created_at, id) within one endpoint or one message.
CREATE INDEX message_attempt_endp_time ON message_attempt (endp_id, created_at, id);
CREATE INDEX message_attempt_msg_time ON message_attempt (msg_id, created_at, id);
-- "The latest delivery of a message to an endpoint" (resends and recovers add rows).
CREATE INDEX delivery_endp_msg_time ON delivery (endp_id, msg_id, created_at, id);
