package dev.herald.eventtype;

import dev.herald.store.Tx;
import dev.herald.web.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Every statement on the {@code event_type} table. Each starts from the organisation. */
final class EventTypeSql {
  private static final String KEYS =
      "id, org_id, name, description, archived, deprecated, feature_flag, ";
  private static final String TIMES = ", created_at, updated_at";
  private static final String COLUMNS = KEYS + "schemas" + TIMES;

  private static EventType map(ResultSet rs) throws SQLException {
    return new EventType(
        rs.getString("id"),
        rs.getString("org_id"),
        rs.getString("name"),
        rs.getString("description"),
        rs.getBoolean("archived"),
        rs.getBoolean("deprecated"),
        rs.getString("feature_flag"),
        rs.getString("schemas"),
        rs.getLong("created_at"),
        rs.getLong("updated_at"));
  }

  /** The event type named {@code name}, archived or not. */
  Optional<EventType> byName(Tx tx, String orgId, String name) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM event_type WHERE org_id = ? AND name = ?",
        EventTypeSql::map,
        orgId,
        name);
  }

  /**
   * One page ordered by name. Without {@code withContent} the schemas are not even read: they can
   * be large, and the list does not show them.
   */
  List<EventType> list(Tx tx, String orgId, boolean includeArchived, boolean withContent, Page page)
      throws SQLException {
    List<Object> args = new ArrayList<>(List.of(orgId));
    StringBuilder sql = new StringBuilder("SELECT ").append(KEYS);
    sql.append(withContent ? "schemas" : "NULL AS schemas").append(TIMES);
    sql.append(" FROM event_type WHERE org_id = ?");
    if (!includeArchived) {
      sql.append(" AND archived = ?");
      args.add(false);
    }
    sql.append(page.sql("name", args));
    return tx.list(sql.toString(), EventTypeSql::map, args.toArray());
  }

  void insert(Tx tx, EventType e) throws SQLException {
    tx.update(
        "INSERT INTO event_type (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        e.id(),
        e.orgId(),
        e.name(),
        e.description(),
        e.archived(),
        e.deprecated(),
        e.featureFlag(),
        e.schemas(),
        e.createdAt(),
        e.updatedAt());
  }

  /** Writes every field but the name, id and creation time. */
  void update(Tx tx, EventType e) throws SQLException {
    tx.update(
        """
        UPDATE event_type SET description = ?, archived = ?, deprecated = ?, feature_flag = ?,
        schemas = ?, updated_at = ?
        WHERE org_id = ? AND id = ?""",
        e.description(),
        e.archived(),
        e.deprecated(),
        e.featureFlag(),
        e.schemas(),
        e.updatedAt(),
        e.orgId(),
        e.id());
  }

  /** Deletes the row for good (Svix's {@code expunge}). */
  void expunge(Tx tx, String orgId, String id) throws SQLException {
    tx.update("DELETE FROM event_type WHERE org_id = ? AND id = ?", orgId, id);
  }
}
