package dev.herald.message;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import dev.herald.web.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Every statement on the {@code message} table. Each starts from the application, which the caller
 * has already resolved within its organisation. Lists run by {@code (created_at, id)}: ids carry
 * only whole seconds, so the millisecond creation time is what orders messages.
 */
final class MessageSql {
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, app_id, event_type, uid, channels, tags, payload, created_at, expires_at";

  private final Json json;

  MessageSql(Json json) {
    this.json = json;
  }

  private Message map(ResultSet rs) throws SQLException {
    return new Message(
        rs.getString("id"),
        rs.getString("app_id"),
        rs.getString("event_type"),
        rs.getString("uid"),
        list(rs.getString("channels")),
        list(rs.getString("tags")),
        rs.getString("payload"),
        rs.getLong("created_at"),
        rs.getLong("expires_at"));
  }

  private List<String> list(String text) {
    return text == null ? null : json.read(text, STRING_LIST);
  }

  private String text(List<String> values) {
    return values == null ? null : json.writeString(values);
  }

  /**
   * The INSERT that stores {@code m}; a second message with the same {@code eventId} in the app
   * breaks a unique index (a 409).
   */
  Tx.Sql insertion(Message m) {
    return new Tx.Sql(
        "INSERT INTO message (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        m.id(),
        m.appId(),
        m.eventType(),
        m.eventId(),
        text(m.channels()),
        text(m.tags()),
        m.payload(),
        m.createdAt(),
        m.expiresAt());
  }

  /**
   * PostgreSQL: one INSERT of every message of {@code ms}, from one array per column; any repeated
   * {@code eventId} fails the whole statement.
   */
  Tx.Sql insertions(List<Message> ms) {
    return new Tx.Sql(
        "INSERT INTO message ("
            + COLUMNS
            + ") SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::int8[], ?::int8[])",
        Tx.column(ms, Message::id, String[]::new),
        Tx.column(ms, Message::appId, String[]::new),
        Tx.column(ms, Message::eventType, String[]::new),
        Tx.column(ms, Message::eventId, String[]::new),
        Tx.column(ms, m -> text(m.channels()), String[]::new),
        Tx.column(ms, m -> text(m.tags()), String[]::new),
        Tx.column(ms, Message::payload, String[]::new),
        Tx.column(ms, Message::createdAt, Long[]::new),
        Tx.column(ms, Message::expiresAt, Long[]::new));
  }

  /** Message {@code id} of whatever app: for the delivery engine, which holds ids it wrote. */
  Optional<Message> byIdAnyApp(Tx tx, String id) throws SQLException {
    return tx.one("SELECT " + COLUMNS + " FROM message WHERE id = ?", this::map, id);
  }

  /** Characters of message {@code id}'s payload; empty when it is absent or expunged. */
  Optional<Long> payloadLength(Tx tx, String id) throws SQLException {
    return tx.one(
        "SELECT LENGTH(payload) FROM message WHERE id = ? AND payload IS NOT NULL",
        rs -> rs.getLong(1),
        id);
  }

  Optional<Message> byId(Tx tx, String appId, String id) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM message WHERE app_id = ? AND id = ?", this::map, appId, id);
  }

  Optional<Message> byEventId(Tx tx, String appId, String eventId) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM message WHERE app_id = ? AND uid = ?",
        this::map,
        appId,
        eventId);
  }

  /**
   * One page of the app's messages matching {@code q}, plus one extra row to tell whether more
   * follow (see {@link Page#respond}). {@code cursor} is the message the iterator names, or null.
   */
  List<Message> list(Tx tx, String appId, MessageQuery q, Page page, Message cursor)
      throws SQLException {
    List<Object> args = new ArrayList<>(List.of(appId));
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM message WHERE app_id = ?");
    if (q.channel() != null) {
      sql.append(" AND channels LIKE ? ESCAPE '\\'");
      args.add(containing(q.channel()));
    }
    if (q.tag() != null) {
      sql.append(" AND tags LIKE ? ESCAPE '\\'");
      args.add(containing(q.tag()));
    }
    if (!q.eventTypes().isEmpty()) {
      sql.append(" AND event_type IN (")
          .append(String.join(", ", Collections.nCopies(q.eventTypes().size(), "?")))
          .append(')');
      args.addAll(q.eventTypes());
    }
    if (q.before() != null) {
      sql.append(" AND created_at < ?");
      args.add(q.before());
    }
    if (q.after() != null) {
      sql.append(" AND created_at > ?");
      args.add(q.after());
    }
    // Scanning upwards when the order is ascending and we go forwards, or descending and back.
    boolean backwards = page.iterator() != null && page.iterator().startsWith("-");
    boolean upwards = page.descending() == backwards;
    String cmp = upwards ? ">" : "<";
    if (cursor != null) {
      sql.append(" AND (created_at ")
          .append(cmp)
          .append(" ? OR (created_at = ? AND id ")
          .append(cmp)
          .append(" ?))");
      args.add(cursor.createdAt());
      args.add(cursor.createdAt());
      args.add(cursor.id());
    }
    String dir = upwards ? " ASC" : " DESC";
    sql.append(" ORDER BY created_at").append(dir).append(", id").append(dir).append(" LIMIT ?");
    args.add(page.limit() + 1);
    return tx.list(sql.toString(), this::map, args.toArray());
  }

  /**
   * A LIKE pattern that matches a JSON string array holding {@code value} as one element: the
   * element is quoted in the text, and LIKE's own wildcards are escaped.
   */
  private String containing(String value) {
    String quoted = json.writeString(value);
    String escaped = quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    return "%" + escaped + "%";
  }

  /** Drops the payload; the message stays for the record. Returns the rows changed. */
  int expunge(Tx tx, String appId, String id) throws SQLException {
    return tx.update("UPDATE message SET payload = NULL WHERE app_id = ? AND id = ?", appId, id);
  }
}
