package dev.herald.delivery;

import dev.herald.core.Ids;
import dev.herald.queue.DeliveryQueue;
import dev.herald.store.Dialect;
import dev.herald.store.Store;
import dev.herald.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The delivery ledger: every state change of the {@code delivery} and {@code message_attempt}
 * tables. The lifecycle of a row:
 *
 * <pre>
 *   fan-out / resend ──► PENDING (queued) ──claim──► SENDING ──2xx──► SUCCESS (delivered)
 *                          ▲     ▲                      │
 *                  sweeper │     └── failure, retry ────┤
 *     (due, lease expired) │                            ├── failure, schedule done ──► FAIL (exhausted)
 *                          └──────── defer (throttled) ─┘
 *                                                       └── endpoint gone/disabled ──► FAIL (skipped)
 * </pre>
 *
 * <p>Leases: a row handed to the queue carries {@code lease_owner = 'queued'} until {@code
 * lease_until}; a worker's claim replaces it with its own token. Any lease past its time is void,
 * so a crashed node's work is found again by the sweeper of any node. Every transition after the
 * claim requires the worker's token: a worker that lost its lease (it was too slow) records its
 * attempt but cannot overwrite the row's newer state. Stateless; thread-safe.
 */
public final class DeliveryLedger {
  /** {@code lease_owner} of a row handed to the queue. */
  public static final String QUEUED = "queued";

  /** Largest number of ids one sweep takes. */
  public static final int MAX_SWEEP_BATCH = 1000;

  private static final String COLUMNS =
      "id, app_id, msg_id, endp_id, status, trigger_type, attempts, next_attempt_at, outcome,"
          + " created_at, updated_at";

  static Delivery map(ResultSet rs) throws SQLException {
    long next = rs.getLong("next_attempt_at");
    Long nextAt = rs.wasNull() ? null : next;
    return new Delivery(
        rs.getString("id"),
        rs.getString("app_id"),
        rs.getString("msg_id"),
        rs.getString("endp_id"),
        Status.of(rs.getInt("status")),
        rs.getInt("trigger_type"),
        rs.getInt("attempts"),
        nextAt,
        rs.getString("outcome"),
        rs.getLong("created_at"),
        rs.getLong("updated_at"));
  }

  /**
   * New pending deliveries of message {@code msgId}, one per endpoint of {@code endpointIds}, due
   * {@code now}; not yet written ({@link #create}).
   */
  public static List<Delivery> pending(
      String appId, String msgId, List<String> endpointIds, int triggerType, long now) {
    List<Delivery> rows = new ArrayList<>(endpointIds.size());
    for (String endpointId : endpointIds) {
      String id = Ids.next(Ids.Prefix.DELIVERY, Instant.ofEpochMilli(now));
      rows.add(
          new Delivery(
              id, appId, msgId, endpointId, Status.PENDING, triggerType, 0, now, null, now, now));
    }
    return rows;
  }

  /**
   * Inserts {@code rows} (from {@link #pending}, of one message or several), each marked queued for
   * {@code queueLeaseMillis} from its creation (the caller offers the ids to the queue after
   * commit). Returns them. {@code first}, if not null, is an INSERT (e.g. of the messages) to run
   * before them: on PostgreSQL both go in one statement (a data-modifying WITH), so that a
   * transaction of {@link dev.herald.store.Store#writeOne one statement} can hold them.
   */
  public List<Delivery> create(Tx tx, Tx.Sql first, List<Delivery> rows, long queueLeaseMillis)
      throws SQLException {
    if (first != null && (rows.isEmpty() || tx.dialect() != Dialect.POSTGRESQL)) {
      tx.update(first);
      first = null;
    }
    if (rows.isEmpty()) {
      return rows;
    }
    if (tx.dialect() == Dialect.POSTGRESQL) {
      tx.update(along(first, insertAll(rows, queueLeaseMillis)));
      return rows;
    }
    List<Object[]> args = new ArrayList<>(rows.size());
    for (Delivery d : rows) {
      args.add(
          new Object[] {
            d.id(),
            d.appId(),
            d.msgId(),
            d.endpointId(),
            Status.PENDING.code(),
            d.triggerType(),
            d.createdAt(),
            QUEUED,
            d.createdAt() + queueLeaseMillis,
            d.createdAt(),
            d.createdAt()
          });
    }
    tx.batch(
        """
        INSERT INTO delivery (id, app_id, msg_id, endp_id, status, trigger_type, attempts,
            next_attempt_at, lease_owner, lease_until, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)""",
        args);
    return rows;
  }

  /** PostgreSQL: every row of {@code rows} (at least one) in one INSERT, from arrays. */
  private static Tx.Sql insertAll(List<Delivery> rows, long queueLeaseMillis) {
    return new Tx.Sql(
        """
        INSERT INTO delivery (id, app_id, msg_id, endp_id, status, trigger_type, attempts,
            next_attempt_at, lease_owner, lease_until, created_at, updated_at)
        SELECT r.id, r.app_id, r.msg_id, r.endp_id, ?, r.trigger_type, 0, r.created_at, ?,
            r.created_at + ?, r.created_at, r.created_at
        FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int4[], ?::int8[])
            AS r (id, app_id, msg_id, endp_id, trigger_type, created_at)""",
        Status.PENDING.code(),
        QUEUED,
        queueLeaseMillis,
        Tx.column(rows, Delivery::id, String[]::new),
        Tx.column(rows, Delivery::appId, String[]::new),
        Tx.column(rows, Delivery::msgId, String[]::new),
        Tx.column(rows, Delivery::endpointId, String[]::new),
        Tx.column(rows, Delivery::triggerType, Integer[]::new),
        Tx.column(rows, Delivery::createdAt, Long[]::new));
  }

  /**
   * PostgreSQL: {@code first}, then {@code then}, as one statement: {@code first} runs as a
   * data-modifying WITH, and the statement's row count is {@code then}'s.
   */
  private static Tx.Sql along(Tx.Sql first, Tx.Sql then) {
    if (first == null) {
      return then;
    }
    Object[] args = new Object[first.args().length + then.args().length];
    System.arraycopy(first.args(), 0, args, 0, first.args().length);
    System.arraycopy(then.args(), 0, args, first.args().length, then.args().length);
    return new Tx.Sql("WITH first AS (" + first.text() + ") " + then.text(), args);
  }

  /** The ids of {@code rows}. */
  public static List<String> ids(List<Delivery> rows) {
    return rows.stream().map(Delivery::id).toList();
  }

  /**
   * Offers {@code ids} (committed, marked queued) to {@code queue}; those it refuses lose their
   * queued mark so that the sweeper picks them up as soon as there is room. Returns those.
   */
  public List<String> handOff(Store store, DeliveryQueue queue, List<String> ids) {
    List<String> refused = ids.isEmpty() ? List.of() : ids.subList(queue.offerAll(ids), ids.size());
    if (refused.isEmpty()) {
      return refused;
    }
    String release =
        "UPDATE delivery SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND id";
    if (store.dialect() == Dialect.POSTGRESQL) {
      // One statement for the whole refused fan-out.
      store.writeOne(
          tx -> tx.update(release + " = ANY(?::text[])", QUEUED, refused.toArray(String[]::new)));
      return refused;
    }
    store.write(
        tx -> {
          for (String id : refused) {
            tx.update(release + " = ?", QUEUED, id);
          }
          return null;
        });
    return refused;
  }

  /**
   * Claims a due delivery for an attempt: it becomes SENDING under {@code token} until {@code
   * leaseUntil}. Empty when the row has ended, is not due, or is leased to a live worker.
   */
  public Optional<Delivery> claim(Tx tx, String id, String token, long now, long leaseUntil)
      throws SQLException {
    return tx.one(
        "UPDATE delivery SET status = ?, lease_owner = ?, lease_until = ?, updated_at = ?"
            + " WHERE id = ? AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?"
            + " AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)"
            + " RETURNING "
            + COLUMNS,
        DeliveryLedger::map,
        Status.SENDING.code(),
        token,
        leaseUntil,
        now,
        id,
        now,
        QUEUED,
        now);
  }

  /** One attempt to record: what {@link #record(Tx, Recorded)} writes. */
  public record Recorded(String token, Attempt attempt, Long nextAttemptAt, long now) {
    boolean success() {
      return attempt.status() == Status.SUCCESS;
    }

    /** The delivery's next status: SUCCESS on a 2xx, PENDING while retries remain, else FAIL. */
    Status status() {
      return success() ? Status.SUCCESS : nextAttemptAt == null ? Status.FAIL : Status.PENDING;
    }

    Long next() {
      return success() ? null : nextAttemptAt;
    }

    String outcome() {
      return success()
          ? Outcome.DELIVERED.text()
          : nextAttemptAt == null ? Outcome.EXHAUSTED.text() : null;
    }
  }

  /**
   * Records the attempt (always: the request happened) and moves the delivery on, if the token
   * still holds it: to SUCCESS on a 2xx, back to PENDING at {@code nextAttemptAt}, or to FAIL
   * (exhausted) when {@code nextAttemptAt} is null. Returns false when the lease was lost.
   */
  public boolean record(Tx tx, Recorded r) throws SQLException {
    Tx.Sql update =
        new Tx.Sql(
            "UPDATE delivery SET status = ?, attempts = attempts + 1, next_attempt_at = ?,"
                + " lease_owner = NULL, lease_until = NULL, outcome = ?, updated_at = ?"
                + " WHERE id = ? AND lease_owner = ?",
            r.status().code(),
            r.next(),
            r.outcome(),
            r.now(),
            r.attempt().deliveryId(),
            r.token());
    if (tx.dialect() == Dialect.POSTGRESQL) {
      // One statement: the attempt's INSERT rides along the UPDATE, whose row count it keeps.
      return tx.update(along(insertAttempt(r.attempt()), update)) == 1;
    }
    tx.update(insertAttempt(r.attempt()));
    return tx.update(update) == 1;
  }

  /**
   * PostgreSQL: {@link #record(Tx, Recorded)} for every one of {@code records} in one statement
   * (every attempt INSERTed from arrays, every delivery UPDATEd from arrays); whether each still
   * held its lease, in order.
   */
  public List<Boolean> recordAll(Tx tx, List<Recorded> records) throws SQLException {
    Tx.Sql update =
        new Tx.Sql(
            """
            UPDATE delivery d SET status = v.status, attempts = d.attempts + 1,
                next_attempt_at = v.next_at, lease_owner = NULL, lease_until = NULL,
                outcome = v.outcome, updated_at = v.now
            FROM unnest(?::text[], ?::text[], ?::int4[], ?::int8[], ?::text[], ?::int8[])
                WITH ORDINALITY AS v (id, token, status, next_at, outcome, now, n)
            WHERE d.id = v.id AND d.lease_owner = v.token
            RETURNING v.n""",
            Tx.column(records, r -> r.attempt().deliveryId(), String[]::new),
            Tx.column(records, Recorded::token, String[]::new),
            Tx.column(records, r -> r.status().code(), Integer[]::new),
            Tx.column(records, Recorded::next, Long[]::new),
            Tx.column(records, Recorded::outcome, String[]::new),
            Tx.column(records, Recorded::now, Long[]::new));
    Tx.Sql both = along(insertAttempts(records.stream().map(Recorded::attempt).toList()), update);
    // By position, not by id: two records of one delivery (a worker that lost its lease, and the
    // one that took it over) may share a batch, and only the holder's row is updated.
    List<Boolean> out = new ArrayList<>(java.util.Collections.nCopies(records.size(), false));
    for (long position : tx.listPlannedEachTime(both, rs -> rs.getLong(1))) {
      out.set((int) position - 1, true);
    }
    return out;
  }

  /** Ends a claimed delivery without an attempt (endpoint gone or disabled, payload expunged). */
  public void skip(Tx tx, String id, String token, Outcome outcome, long now) throws SQLException {
    tx.update(
        "UPDATE delivery SET status = ?, next_attempt_at = NULL, lease_owner = NULL,"
            + " lease_until = NULL, outcome = ?, updated_at = ? WHERE id = ? AND lease_owner = ?",
        Status.FAIL.code(),
        outcome.text(),
        now,
        id,
        token);
  }

  /** Puts a claimed delivery back to PENDING at {@code until}, counting no attempt. */
  public void defer(Tx tx, String id, String token, long until, long now) throws SQLException {
    tx.update(
        "UPDATE delivery SET status = ?, next_attempt_at = ?, lease_owner = NULL,"
            + " lease_until = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?",
        Status.PENDING.code(),
        until,
        now,
        id,
        token);
  }

  /**
   * The sweeper's query: up to {@code limit} due deliveries whose lease is absent or expired,
   * marked queued until {@code queuedUntil}. On PostgreSQL, rows another node is taking at the same
   * moment are skipped ({@code SKIP LOCKED}), so nodes share the work without waiting.
   */
  public List<String> takeDue(Tx tx, long now, int limit, long queuedUntil) throws SQLException {
    String lock = tx.dialect() == Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
    return tx.list(
        "UPDATE delivery SET lease_owner = ?, lease_until = ? WHERE id IN (SELECT id FROM delivery"
            + " WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?"
            + " AND (lease_owner IS NULL OR lease_until < ?)"
            + " ORDER BY next_attempt_at LIMIT ?"
            + lock
            + ") RETURNING id",
        rs -> rs.getString(1),
        QUEUED,
        queuedUntil,
        now,
        now,
        Math.min(limit, MAX_SWEEP_BATCH));
  }

  /**
   * Voids every lease. Only for a node that knows it is alone (the embedded SQLite store): after a
   * restart, no queue or worker holds anything.
   */
  public int releaseAll(Tx tx, long now) throws SQLException {
    return tx.update(
        "UPDATE delivery SET lease_owner = NULL, lease_until = NULL,"
            + " status = CASE WHEN status = ? THEN ? ELSE status END, updated_at = ?"
            + " WHERE lease_owner IS NOT NULL",
        Status.SENDING.code(),
        Status.PENDING.code(),
        now);
  }

  /** PostgreSQL: one INSERT of every attempt in {@code attempts}, from one array per column. */
  private static Tx.Sql insertAttempts(List<Attempt> attempts) {
    return new Tx.Sql(
        """
        INSERT INTO message_attempt (id, app_id, msg_id, endp_id, delivery_id, url, status,
            response_status_code, response, response_duration_ms, trigger_type, created_at)
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
            ?::int4[], ?::int4[], ?::text[], ?::int8[], ?::int4[], ?::int8[])""",
        Tx.column(attempts, Attempt::id, String[]::new),
        Tx.column(attempts, Attempt::appId, String[]::new),
        Tx.column(attempts, Attempt::msgId, String[]::new),
        Tx.column(attempts, Attempt::endpointId, String[]::new),
        Tx.column(attempts, Attempt::deliveryId, String[]::new),
        Tx.column(attempts, Attempt::url, String[]::new),
        Tx.column(attempts, a -> a.status().code(), Integer[]::new),
        Tx.column(attempts, Attempt::responseStatusCode, Integer[]::new),
        Tx.column(attempts, Attempt::response, String[]::new),
        Tx.column(attempts, Attempt::responseDurationMs, Long[]::new),
        Tx.column(attempts, Attempt::triggerType, Integer[]::new),
        Tx.column(attempts, Attempt::createdAt, Long[]::new));
  }

  private static Tx.Sql insertAttempt(Attempt a) {
    return new Tx.Sql(
        """
        INSERT INTO message_attempt (id, app_id, msg_id, endp_id, delivery_id, url, status,
            response_status_code, response, response_duration_ms, trigger_type, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        a.id(),
        a.appId(),
        a.msgId(),
        a.endpointId(),
        a.deliveryId(),
        a.url(),
        a.status().code(),
        a.responseStatusCode(),
        a.response(),
        a.responseDurationMs(),
        a.triggerType(),
        a.createdAt());
  }

  /** The delivery {@code id}, if any. */
  public Optional<Delivery> byId(Tx tx, String id) throws SQLException {
    return tx.one("SELECT " + COLUMNS + " FROM delivery WHERE id = ?", DeliveryLedger::map, id);
  }

  /** Every delivery of message {@code msgId}, oldest first. */
  public List<Delivery> ofMessage(Tx tx, String msgId) throws SQLException {
    return tx.list(
        "SELECT " + COLUMNS + " FROM delivery WHERE msg_id = ? ORDER BY id",
        DeliveryLedger::map,
        msgId);
  }

  /** Every attempt of message {@code msgId}, oldest first. */
  public List<Attempt> attemptsOfMessage(Tx tx, String msgId) throws SQLException {
    return tx.list(
        "SELECT * FROM message_attempt WHERE msg_id = ? ORDER BY id",
        DeliveryLedger::attempt,
        msgId);
  }

  /** Maps a {@code message_attempt} row; every reader of the attempt log uses it. */
  public static Attempt attempt(ResultSet rs) throws SQLException {
    return new Attempt(
        rs.getString("id"),
        rs.getString("app_id"),
        rs.getString("msg_id"),
        rs.getString("endp_id"),
        rs.getString("delivery_id"),
        rs.getString("url"),
        Status.of(rs.getInt("status")),
        rs.getInt("response_status_code"),
        rs.getString("response"),
        rs.getLong("response_duration_ms"),
        rs.getInt("trigger_type"),
        rs.getLong("created_at"));
  }
}
