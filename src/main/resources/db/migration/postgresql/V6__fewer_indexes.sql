-- Keep in step with the other dialect.
-- Indexes that later ones made redundant; each cost a B-tree write per delivery or attempt.
-- delivery (endp_id, msg_id) is a prefix of delivery_endp_msg_time (V3); the attempt log reads
-- attempts by (endp_id, created_at, id) and (msg_id, created_at, id) (V3), never by (x, id).
DROP INDEX delivery_endp;
DROP INDEX message_attempt_msg;
DROP INDEX message_attempt_endp;
