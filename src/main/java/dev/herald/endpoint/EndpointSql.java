package dev.herald.endpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.store.RowCache;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import dev.herald.web.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every statement on the {@code endpoint} table. Each starts from the application, which the caller
 * resolved within its organisation; only {@link #byId(Tx, String)} (for the delivery engine, which
 * holds endpoint ids it took from its own rows) does not. Deleted rows are kept and never read.
 */
final class EndpointSql {
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};
  private static final TypeReference<List<Endpoint.OldKey>> OLD_KEYS = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, app_id, uid, url, description, version, rate_limit, disabled, event_types, channels,"
          + " metadata, headers, secret, old_secrets, created_at, updated_at";

  private final Json json;

  /** Every live endpoint of an application, by application id; dropped after each write. */
  private final RowCache<String, LiveEndpoints> cache;

  EndpointSql(Json json, RowCache<String, LiveEndpoints> cache) {
    this.json = json;
    this.cache = cache;
  }

  private Endpoint map(ResultSet rs) throws SQLException {
    return new Endpoint(
        rs.getString("id"),
        rs.getString("app_id"),
        rs.getString("uid"),
        rs.getString("url"),
        rs.getString("description"),
        rs.getInt("version"),
        Tx.nullableInt(rs, "rate_limit"),
        rs.getBoolean("disabled"),
        list(rs.getString("event_types")),
        list(rs.getString("channels")),
        json.read(rs.getString("metadata"), STRING_MAP),
        json.read(rs.getString("headers"), STRING_MAP),
        rs.getString("secret"),
        json.read(rs.getString("old_secrets"), OLD_KEYS),
        rs.getLong("created_at"),
        rs.getLong("updated_at"));
  }

  private List<String> list(String text) {
    return text == null ? null : json.read(text, STRING_LIST);
  }

  private String text(List<String> list) {
    return list == null ? null : json.writeString(list);
  }

  Optional<Endpoint> byId(Tx tx, String appId, String id) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM endpoint WHERE app_id = ? AND id = ? AND deleted = ?",
        this::map,
        appId,
        id,
        false);
  }

  Optional<Endpoint> byUid(Tx tx, String appId, String uid) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM endpoint WHERE app_id = ? AND uid = ? AND deleted = ?",
        this::map,
        appId,
        uid,
        false);
  }

  /** The endpoint with primary key {@code id}, whatever its application. */
  Optional<Endpoint> byId(Tx tx, String id) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM endpoint WHERE id = ? AND deleted = ?", this::map, id, false);
  }

  List<Endpoint> list(Tx tx, String appId, Page page) throws SQLException {
    List<Object> args = new ArrayList<>(List.of(appId, false));
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM endpoint WHERE app_id = ? AND deleted = ?"
            + page.sql("id", args);
    return tx.list(sql, this::map, args.toArray());
  }

  /**
   * Every endpoint of the application that is not deleted (enabled or not), by id, and which of
   * them are in a failure streak.
   */
  LiveEndpoints live(Tx tx, String appId) throws SQLException {
    Set<String> failing = new HashSet<>();
    List<Endpoint> all =
        tx.list(
            "SELECT "
                + COLUMNS
                + ", failing_since FROM endpoint WHERE app_id = ? AND deleted = ? ORDER BY id",
            rs -> {
              Endpoint e = map(rs);
              rs.getLong("failing_since");
              if (!rs.wasNull()) {
                failing.add(e.id());
              }
              return e;
            },
            appId,
            false);
    return new LiveEndpoints(all, Set.copyOf(failing));
  }

  /** Forgets a failure streak: the endpoint answered 2xx. */
  void clearFailing(Tx tx, String id) throws SQLException {
    if (tx.update(
            "UPDATE endpoint SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL",
            id)
        == 1) {
      cache.invalidateAll(tx);
    }
  }

  /** Starts a failure streak at {@code now} unless one runs; returns when the streak began. */
  long markFailing(Tx tx, String id, long now) throws SQLException {
    if (tx.update(
            "UPDATE endpoint SET failing_since = ? WHERE id = ? AND failing_since IS NULL", now, id)
        == 1) {
      cache.invalidateAll(tx);
    }
    return tx.one("SELECT failing_since FROM endpoint WHERE id = ?", rs -> rs.getLong(1), id)
        .orElse(now);
  }

  /** When the failure streak of endpoint {@code id} began, if one runs. */
  Optional<Long> failingSince(Tx tx, String id) throws SQLException {
    return tx.one(
        "SELECT failing_since FROM endpoint WHERE id = ? AND failing_since IS NOT NULL",
        rs -> rs.getLong(1),
        id);
  }

  /** Disables an enabled endpoint; true when this call disabled it. */
  boolean disable(Tx tx, String id, long now) throws SQLException {
    cache.invalidateAll(tx);
    return tx.update(
            "UPDATE endpoint SET disabled = ?, failing_since = NULL, updated_at = ?"
                + " WHERE id = ? AND disabled = ? AND deleted = ?",
            true,
            now,
            id,
            false,
            false)
        == 1;
  }

  List<Endpoint> enabled(Tx tx, String appId) throws SQLException {
    return tx.list(
        "SELECT "
            + COLUMNS
            + " FROM endpoint WHERE app_id = ? AND deleted = ? AND disabled = ? ORDER BY id",
        this::map,
        appId,
        false,
        false);
  }

  /**
   * The values of the mutable columns, in the order both {@link #insert} and {@link #update} name
   * them: uid, url, description, version, rate_limit, disabled, event_types, channels, metadata,
   * headers, secret, old_secrets.
   */
  private List<Object> mutable(Endpoint e) {
    return java.util.Arrays.asList(
        e.uid(),
        e.url(),
        e.description(),
        e.version(),
        e.rateLimit(),
        e.disabled(),
        text(e.filterTypes()),
        text(e.channels()),
        json.writeString(e.metadata()),
        json.writeString(e.headers()),
        e.secret(),
        json.writeString(e.oldSecrets()));
  }

  void insert(Tx tx, Endpoint e) throws SQLException {
    cache.invalidate(tx, e.appId());
    List<Object> args = new ArrayList<>();
    args.add(e.id());
    args.add(e.appId());
    args.addAll(mutable(e));
    args.addAll(java.util.Arrays.asList(e.createdAt(), e.updatedAt(), false));
    tx.update(
        "INSERT INTO endpoint ("
            + COLUMNS
            + ", deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        args.toArray());
  }

  /** Writes every mutable column of {@code e}. */
  void update(Tx tx, Endpoint e) throws SQLException {
    cache.invalidate(tx, e.appId());
    List<Object> args = new ArrayList<>(mutable(e));
    args.addAll(java.util.Arrays.asList(e.updatedAt(), e.appId(), e.id(), false));
    tx.update(
        """
        UPDATE endpoint SET uid = ?, url = ?, description = ?, version = ?, rate_limit = ?,
          disabled = ?, event_types = ?, channels = ?, metadata = ?, headers = ?, secret = ?,
          old_secrets = ?, updated_at = ?
        WHERE app_id = ? AND id = ? AND deleted = ?""",
        args.toArray());
  }

  /** Marks the endpoint deleted; its uid is free again, its deliveries stay for the record. */
  void markDeleted(Tx tx, String appId, String id, long now) throws SQLException {
    cache.invalidate(tx, appId);
    tx.update(
        "UPDATE endpoint SET deleted = ?, updated_at = ? WHERE app_id = ? AND id = ?",
        true,
        now,
        appId,
        id);
  }
}
