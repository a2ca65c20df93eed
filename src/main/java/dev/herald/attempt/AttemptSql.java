package dev.herald.attempt;

import dev.herald.delivery.Attempt;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.delivery.Status;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import dev.herald.web.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The attempt log's reads of the delivery ledger's tables ({@code message_attempt}, {@code
 * delivery}), joined with {@code message} for its filters. Every statement starts from the
 * application the caller resolved. Writes of new deliveries go through {@code DeliveryLedger}; the
 * one write here is expunging an attempt's response.
 *
 * <p>Lists run by {@code (created_at, id)}: ids carry whole seconds only, so the millisecond time
 * is what orders rows created in the same second. "The latest delivery" of a message to an endpoint
 * is the newest row of that pair (a resend or recover adds a row; the fan-out's row stays).
 */
final class AttemptSql {
  private static final String ATTEMPT_COLUMNS =
      "a.id, a.app_id, a.msg_id, a.endp_id, a.delivery_id, a.url, a.status,"
          + " a.response_status_code, a.response, a.response_duration_ms, a.trigger_type,"
          + " a.created_at";

  /** Keeps only the newest delivery row of each (message, endpoint) pair; {@code d} is the row. */
  private static final String LATEST =
      " AND d.id = (SELECT l.id FROM delivery l WHERE l.endp_id = d.endp_id"
          + " AND l.msg_id = d.msg_id ORDER BY l.created_at DESC, l.id DESC LIMIT 1)";

  private static final String LATEST_COLUMNS =
      "d.id, d.msg_id, d.endp_id, d.status, d.next_attempt_at, m.created_at AS sort_time";

  /** The state of the latest delivery of a message to an endpoint; {@code sortTime} orders it. */
  record Latest(
      String deliveryId,
      String msgId,
      String endpointId,
      Status status,
      Long nextAttemptAt,
      long sortTime) {}

  /** A message with no delivery to an endpoint yet (replay-missing's candidate). */
  record Unsent(String msgId, String eventType, String channels, long createdAt) {}

  /** Where a forward scan stopped: the last row's time and id. */
  record Cursor(long time, String id) {
    static final Cursor START = new Cursor(Long.MIN_VALUE, "");
  }

  /**
   * Which messages of one endpoint a recover or bulk replay takes, by their latest delivery:
   * created in {@code [since, until)}, payload still present, latest delivery in one of {@code
   * statuses}, and the optional filters.
   */
  record Selection(
      String appId,
      String endpointId,
      long since,
      Long until,
      List<Integer> statuses,
      List<String> eventTypes,
      String channel,
      String tag,
      AttemptQuery.CodeClass codeClass) {}

  private final Json json;

  AttemptSql(Json json) {
    this.json = json;
  }

  private static Latest latest(ResultSet rs) throws SQLException {
    long next = rs.getLong("next_attempt_at");
    Long nextAt = rs.wasNull() ? null : next;
    return new Latest(
        rs.getString("id"),
        rs.getString("msg_id"),
        rs.getString("endp_id"),
        Status.of(rs.getInt("status")),
        nextAt,
        rs.getLong("sort_time"));
  }

  // ---- attempts

  /** The creation time of attempt {@code id} of the app: the iterator's position. */
  Optional<Long> attemptTime(Tx tx, String appId, String id) throws SQLException {
    return tx.one(
        "SELECT created_at FROM message_attempt WHERE app_id = ? AND id = ?",
        rs -> rs.getLong(1),
        appId,
        id);
  }

  /**
   * One page (plus one row) of the attempts of the app whose {@code column} ({@code a.endp_id} or
   * {@code a.msg_id}) is {@code value}, newest first by default. {@code endpointId}: an extra
   * filter, or null. {@code cursorTime}: the iterator's attempt time, or null.
   */
  List<Attempt> attempts(
      Tx tx,
      String appId,
      String column,
      String value,
      String endpointId,
      AttemptQuery q,
      Page page,
      Long cursorTime)
      throws SQLException {
    List<Object> args = new ArrayList<>(List.of(appId, value));
    StringBuilder sql = new StringBuilder("SELECT " + ATTEMPT_COLUMNS + " FROM message_attempt a");
    boolean joinMessage = !q.eventTypes().isEmpty() || q.channel() != null || q.tag() != null;
    if (joinMessage) {
      sql.append(" JOIN message m ON m.id = a.msg_id");
    }
    sql.append(" WHERE a.app_id = ? AND ").append(column).append(" = ?");
    if (endpointId != null) {
      sql.append(" AND a.endp_id = ?");
      args.add(endpointId);
    }
    if (q.status() != null) {
      sql.append(" AND a.status = ?");
      args.add(q.status());
    }
    if (q.codeClass() != null) {
      sql.append(" AND a.response_status_code BETWEEN ? AND ?");
      args.add(q.codeClass().from());
      args.add(q.codeClass().to());
    }
    messageFilters(sql, args, q.eventTypes(), q.channel(), q.tag());
    if (q.before() != null) {
      sql.append(" AND a.created_at < ?");
      args.add(q.before());
    }
    if (q.after() != null) {
      sql.append(" AND a.created_at > ?");
      args.add(q.after());
    }
    sql.append(keyset(page, "a.created_at", "a.id", cursorTime, args));
    return tx.list(sql.toString(), DeliveryLedger::attempt, args.toArray());
  }

  /** Attempt {@code id} of message {@code msgId}. */
  Optional<Attempt> attempt(Tx tx, String appId, String msgId, String id) throws SQLException {
    return tx.one(
        "SELECT "
            + ATTEMPT_COLUMNS
            + " FROM message_attempt a"
            + " WHERE a.app_id = ? AND a.msg_id = ? AND a.id = ?",
        DeliveryLedger::attempt,
        appId,
        msgId,
        id);
  }

  /** Drops the response body of attempt {@code id}; returns the rows changed. */
  int expunge(Tx tx, String appId, String msgId, String id) throws SQLException {
    return tx.update(
        "UPDATE message_attempt SET response = NULL WHERE app_id = ? AND msg_id = ? AND id = ?",
        appId,
        msgId,
        id);
  }

  // ---- deliveries

  /** True when message {@code msgId} has had a delivery to {@code endpointId}. */
  boolean wasSent(Tx tx, String appId, String msgId, String endpointId) throws SQLException {
    return tx.one(
            "SELECT id FROM delivery WHERE app_id = ? AND msg_id = ? AND endp_id = ? LIMIT 1",
            rs -> rs.getString(1),
            appId,
            msgId,
            endpointId)
        .isPresent();
  }

  /**
   * One page (plus one row) of the messages delivered to {@code endpointId}, each with its latest
   * delivery, newest message first by default. {@code cursorTime}: the iterator message's time.
   */
  List<Latest> attemptedMessages(
      Tx tx, String appId, String endpointId, AttemptQuery q, Page page, Long cursorTime)
      throws SQLException {
    List<Object> args = new ArrayList<>(List.of(appId, endpointId));
    StringBuilder sql =
        new StringBuilder(
            "SELECT "
                + LATEST_COLUMNS
                + " FROM delivery d JOIN message m ON m.id = d.msg_id"
                + " WHERE d.app_id = ? AND d.endp_id = ?"
                + LATEST);
    if (q.status() != null) {
      sql.append(" AND d.status = ?");
      args.add(q.status());
    }
    messageFilters(sql, args, q.eventTypes(), q.channel(), q.tag());
    if (q.before() != null) {
      sql.append(" AND m.created_at < ?");
      args.add(q.before());
    }
    if (q.after() != null) {
      sql.append(" AND m.created_at > ?");
      args.add(q.after());
    }
    sql.append(keyset(page, "m.created_at", "m.id", cursorTime, args));
    return tx.list(sql.toString(), AttemptSql::latest, args.toArray());
  }

  /**
   * One page (plus one row) of the live endpoints message {@code msgId} was delivered to, each with
   * its latest delivery, by endpoint id (descending by default, as Svix).
   */
  List<Latest> destinations(Tx tx, String appId, String msgId, Page page) throws SQLException {
    List<Object> args = new ArrayList<>(List.of(false, appId, msgId));
    String sql =
        "SELECT d.id, d.msg_id, d.endp_id, d.status, d.next_attempt_at, d.created_at AS sort_time"
            + " FROM delivery d JOIN endpoint e ON e.id = d.endp_id AND e.deleted = ?"
            + " WHERE d.app_id = ? AND d.msg_id = ?"
            + LATEST
            + page.sql("d.endp_id", args);
    return tx.list(sql, AttemptSql::latest, args.toArray());
  }

  /** Counts of messages by the status of their latest delivery to the endpoint. */
  Map<Status, Long> stats(Tx tx, String appId, String endpointId, Long since, Long until)
      throws SQLException {
    List<Object> args = new ArrayList<>(List.of(appId, endpointId));
    StringBuilder sql =
        new StringBuilder(
            "SELECT d.status, COUNT(*) FROM delivery d WHERE d.app_id = ? AND d.endp_id = ?"
                + LATEST);
    if (since != null) {
      sql.append(" AND d.created_at >= ?");
      args.add(since);
    }
    if (until != null) {
      sql.append(" AND d.created_at < ?");
      args.add(until);
    }
    sql.append(" GROUP BY d.status");
    Map<Status, Long> out = new HashMap<>();
    for (Map.Entry<Status, Long> e :
        tx.list(
            sql.toString(),
            rs -> Map.entry(Status.of(rs.getInt(1)), rs.getLong(2)),
            args.toArray())) {
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /**
   * Up to {@code limit} messages of {@code s} after {@code after}, oldest first, each with its
   * latest delivery to the endpoint.
   */
  List<Latest> selected(Tx tx, Selection s, Cursor after, int limit) throws SQLException {
    List<Object> args = new ArrayList<>(List.of(s.appId(), s.endpointId(), s.since()));
    StringBuilder sql =
        new StringBuilder(
            "SELECT "
                + LATEST_COLUMNS
                + " FROM delivery d JOIN message m ON m.id = d.msg_id"
                + " WHERE d.app_id = ? AND d.endp_id = ? AND m.created_at >= ?"
                + " AND m.payload IS NOT NULL"
                + LATEST);
    if (s.until() != null) {
      sql.append(" AND m.created_at < ?");
      args.add(s.until());
    }
    sql.append(" AND d.status IN (")
        .append(String.join(", ", Collections.nCopies(s.statuses().size(), "?")))
        .append(')');
    args.addAll(s.statuses());
    messageFilters(sql, args, s.eventTypes(), s.channel(), s.tag());
    if (s.codeClass() != null) {
      sql.append(
          " AND EXISTS (SELECT 1 FROM message_attempt a WHERE a.endp_id = d.endp_id"
              + " AND a.msg_id = d.msg_id AND a.response_status_code BETWEEN ? AND ?)");
      args.add(s.codeClass().from());
      args.add(s.codeClass().to());
    }
    sql.append(after(after, "m.created_at", "m.id", args));
    sql.append(" ORDER BY m.created_at, m.id LIMIT ?");
    args.add(limit);
    return tx.list(sql.toString(), AttemptSql::latest, args.toArray());
  }

  /**
   * Up to {@code limit} messages of the app created in {@code [since, until)} after {@code after},
   * oldest first, with a payload and no delivery at all to {@code endpointId}.
   */
  List<Unsent> unsent(
      Tx tx, String appId, String endpointId, long since, Long until, Cursor after, int limit)
      throws SQLException {
    List<Object> args = new ArrayList<>(List.of(appId, since, endpointId));
    StringBuilder sql =
        new StringBuilder(
            "SELECT m.id, m.event_type, m.channels, m.created_at FROM message m"
                + " WHERE m.app_id = ? AND m.created_at >= ? AND m.payload IS NOT NULL"
                + " AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.endp_id = ?"
                + " AND d.msg_id = m.id)");
    if (until != null) {
      sql.append(" AND m.created_at < ?");
      args.add(until);
    }
    sql.append(after(after, "m.created_at", "m.id", args));
    sql.append(" ORDER BY m.created_at, m.id LIMIT ?");
    args.add(limit);
    return tx.list(
        sql.toString(),
        rs -> new Unsent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)),
        args.toArray());
  }

  // ---- pieces

  private void messageFilters(
      StringBuilder sql, List<Object> args, List<String> eventTypes, String channel, String tag) {
    if (eventTypes != null && !eventTypes.isEmpty()) {
      sql.append(" AND m.event_type IN (")
          .append(String.join(", ", Collections.nCopies(eventTypes.size(), "?")))
          .append(')');
      args.addAll(eventTypes);
    }
    if (channel != null) {
      sql.append(" AND m.channels LIKE ? ESCAPE '\\'");
      args.add(containing(channel));
    }
    if (tag != null) {
      sql.append(" AND m.tags LIKE ? ESCAPE '\\'");
      args.add(containing(tag));
    }
  }

  /** A LIKE pattern matching a JSON string array that holds {@code value} as one element. */
  private String containing(String value) {
    String quoted = json.writeString(value);
    String escaped = quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    return "%" + escaped + "%";
  }

  private static String after(Cursor c, String timeColumn, String idColumn, List<Object> args) {
    if (c.time() == Long.MIN_VALUE) {
      return "";
    }
    args.add(c.time());
    args.add(c.time());
    args.add(c.id());
    return " AND (" + timeColumn + " > ? OR (" + timeColumn + " = ? AND " + idColumn + " > ?))";
  }

  /**
   * The tail of a list ordered by {@code (timeColumn, idColumn)}: the cursor predicate when the
   * page has an iterator (whose row was created at {@code cursorTime}), the order and the limit.
   */
  private static String keyset(
      Page page, String timeColumn, String idColumn, Long cursorTime, List<Object> args) {
    boolean backwards = page.iterator() != null && page.iterator().startsWith("-");
    // Scanning upwards when the order is ascending and we go forwards, or descending and back.
    boolean upwards = page.descending() == backwards;
    String cmp = upwards ? ">" : "<";
    StringBuilder sb = new StringBuilder();
    if (page.iterator() != null && cursorTime != null) {
      String id = backwards ? page.iterator().substring(1) : page.iterator();
      sb.append(" AND (")
          .append(timeColumn)
          .append(' ')
          .append(cmp)
          .append(" ? OR (")
          .append(timeColumn)
          .append(" = ? AND ")
          .append(idColumn)
          .append(' ')
          .append(cmp)
          .append(" ?))");
      args.add(cursorTime);
      args.add(cursorTime);
      args.add(id);
    }
    String dir = upwards ? " ASC" : " DESC";
    sb.append(" ORDER BY ").append(timeColumn).append(dir).append(", ").append(idColumn);
    sb.append(dir).append(" LIMIT ?");
    args.add(page.limit() + 1);
    return sb.toString();
  }
}
