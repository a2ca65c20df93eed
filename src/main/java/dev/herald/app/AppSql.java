package dev.herald.app;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.store.RowCache;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import dev.herald.web.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every statement on the {@code application} table. Each starts from the organisation. */
final class AppSql {
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, org_id, uid, name, rate_limit, metadata, created_at, updated_at, internal";

  private final Json json;

  /** Dropped whole after every write: applications change rarely, and the key may be a uid. */
  private final RowCache<String, App> cache;

  AppSql(Json json, RowCache<String, App> cache) {
    this.cache = cache;
    this.json = json;
  }

  private App map(ResultSet rs) throws SQLException {
    return new App(
        rs.getString("id"),
        rs.getString("org_id"),
        rs.getString("uid"),
        rs.getString("name"),
        Tx.nullableInt(rs, "rate_limit"),
        json.read(rs.getString("metadata"), STRING_MAP),
        rs.getLong("created_at"),
        rs.getLong("updated_at"),
        rs.getBoolean("internal"));
  }

  Optional<App> byId(Tx tx, String orgId, String id) throws SQLException {
    return tx.one(
        "SELECT "
            + COLUMNS
            + " FROM application WHERE org_id = ? AND id = ? AND deleted = ?"
            + " AND internal = ?",
        this::map,
        orgId,
        id,
        false,
        false);
  }

  Optional<App> byUid(Tx tx, String orgId, String uid) throws SQLException {
    return tx.one(
        "SELECT "
            + COLUMNS
            + " FROM application WHERE org_id = ? AND uid = ? AND deleted = ?"
            + " AND internal = ?",
        this::map,
        orgId,
        uid,
        false,
        false);
  }

  List<App> list(Tx tx, String orgId, Page page) throws SQLException {
    List<Object> args = new ArrayList<>(List.of(orgId, false, false));
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM application WHERE org_id = ? AND deleted = ? AND internal = ?"
            + page.sql("id", args);
    return tx.list(sql, this::map, args.toArray());
  }

  void insert(Tx tx, App a) throws SQLException {
    cache.invalidateAll(tx);
    tx.update(
        "INSERT INTO application (" + COLUMNS + ", deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        a.id(),
        a.orgId(),
        a.uid(),
        a.name(),
        a.rateLimit(),
        json.writeString(a.metadata()),
        a.createdAt(),
        a.updatedAt(),
        a.internal(),
        false);
  }

  void update(Tx tx, App a) throws SQLException {
    cache.invalidateAll(tx);
    tx.update(
        """
        UPDATE application SET uid = ?, name = ?, rate_limit = ?, metadata = ?, updated_at = ?
        WHERE org_id = ? AND id = ? AND deleted = ? AND internal = ?""",
        a.uid(),
        a.name(),
        a.rateLimit(),
        json.writeString(a.metadata()),
        a.updatedAt(),
        a.orgId(),
        a.id(),
        false,
        false);
  }

  /** Marks the application deleted; its endpoints and messages stay for the record. */
  void markDeleted(Tx tx, String orgId, String id, long now) throws SQLException {
    cache.invalidateAll(tx);
    tx.update(
        "UPDATE application SET deleted = ?, updated_at = ? WHERE org_id = ? AND id = ?"
            + " AND internal = ?",
        true,
        now,
        orgId,
        id,
        false);
  }

  /** The live internal application of organisation {@code orgId}, if it has one. */
  Optional<App> internal(Tx tx, String orgId) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM application WHERE org_id = ? AND internal = ? AND deleted = ?",
        this::map,
        orgId,
        true,
        false);
  }

  /** The application with primary key {@code id}, internal or not, unless it is deleted. */
  Optional<App> anyById(Tx tx, String id) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM application WHERE id = ? AND deleted = ?",
        this::map,
        id,
        false);
  }
}
