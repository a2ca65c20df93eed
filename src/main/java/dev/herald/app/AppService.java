package dev.herald.app;

import dev.herald.core.HeraldError;
import dev.herald.core.Ids;
import dev.herald.core.Scope;
import dev.herald.store.RowCache;
import dev.herald.store.Store;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import dev.herald.web.ListResponse;
import dev.herald.web.Page;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

/** Applications: the tenant of every endpoint and message. Other features resolve apps here. */
public final class AppService {
  private final Store store;
  private final AppSql sql;
  private final Clock clock;
  private final RowCache<String, App> cache;

  /** An application service that caches nothing. */
  public AppService(Store store, Json json, Clock clock) {
    this(store, json, clock, RowCache.disabled());
  }

  /** An application service that reads through {@code cache} on the hot path ({@link #lookup}). */
  public AppService(Store store, Json json, Clock clock, RowCache<String, App> cache) {
    this.store = store;
    this.cache = cache;
    this.sql = new AppSql(json, cache);
    this.clock = clock;
  }

  /**
   * The application named by {@code idOrUid} that {@code scope} may see, read through the cache
   * outside any transaction: for the hot path of a request, where an application changed or deleted
   * by another node up to the cache's expiry ago is acceptable. Empty when there is none.
   */
  public Optional<App> lookup(Scope scope, String idOrUid) {
    App app =
        cache.get(
            scope.orgId() + "\n" + idOrUid,
            key -> store.read(tx -> find(tx, scope.orgId(), idOrUid)).orElse(null));
    return Optional.ofNullable(app).filter(a -> !scope.isApp() || a.id().equals(scope.appId()));
  }

  /** The result of a create or upsert: the app, and whether this call created it. */
  public record Saved(App app, boolean created) {}

  /**
   * The application named by {@code idOrUid} (an {@code app_} id or a uid) that {@code scope} may
   * see; 404 when there is none, or when an app token names another app.
   */
  public App resolve(Tx tx, Scope scope, String idOrUid) throws SQLException {
    return find(tx, scope.orgId(), idOrUid)
        .filter(a -> !scope.isApp() || a.id().equals(scope.appId()))
        .orElseThrow(() -> new HeraldError.NotFound("Application not found."));
  }

  private Optional<App> find(Tx tx, String orgId, String idOrUid) throws SQLException {
    return Ids.Prefix.APP.matches(idOrUid)
        ? sql.byId(tx, orgId, idOrUid)
        : sql.byUid(tx, orgId, idOrUid);
  }

  // ---- the hidden application of operational webhooks

  /** Name of an organisation's internal application (never shown by the application API). */
  static final String INTERNAL_NAME = "Operational webhooks";

  /** The internal application of organisation {@code orgId}, if it was ever needed. */
  public Optional<App> internal(Tx tx, String orgId) throws SQLException {
    return sql.internal(tx, orgId);
  }

  /**
   * The internal application of organisation {@code orgId}, created now if it has none. Two
   * concurrent first creations: one of them fails with a 409 (one internal app per organisation).
   */
  public App internalOrCreate(Tx tx, String orgId) throws SQLException {
    Optional<App> existing = sql.internal(tx, orgId);
    if (existing.isPresent()) {
      return existing.get();
    }
    long now = clock.millis();
    App app =
        new App(
            Ids.next(Ids.Prefix.APP, clock.instant()),
            orgId,
            null,
            INTERNAL_NAME,
            null,
            java.util.Map.of(),
            now,
            now,
            true);
    sql.insert(tx, app);
    return app;
  }

  /**
   * The application with id {@code appId} (an id the caller read from its own rows), of any
   * organisation, internal or not; empty when it is deleted. Not for ids from a request.
   */
  public Optional<App> byId(Tx tx, String appId) throws SQLException {
    return sql.anyById(tx, appId);
  }

  public App get(Scope scope, String idOrUid) {
    return store.read(tx -> resolve(tx, scope, idOrUid));
  }

  Saved create(Scope scope, AppIn in, boolean getIfExists) {
    try {
      return insertOrGet(scope, in, getIfExists);
    } catch (HeraldError.Conflict raced) {
      if (!getIfExists) {
        throw raced;
      }
      // Another request created the uid between our read and our insert: return that app.
      return insertOrGet(scope, in, true);
    }
  }

  private Saved insertOrGet(Scope scope, AppIn in, boolean getIfExists) {
    return store.write(
        tx -> {
          if (getIfExists && in.uid() != null) {
            Optional<App> existing = sql.byUid(tx, scope.orgId(), in.uid());
            if (existing.isPresent()) {
              return new Saved(existing.get(), false);
            }
          }
          return new Saved(insert(tx, scope.orgId(), in, null), true);
        });
  }

  /**
   * The app named by {@code idOrUid}, created from {@code in} when it does not exist (Svix's {@code
   * MessageIn.application}); {@code in} null means it must exist.
   */
  public App getOrCreate(Tx tx, Scope scope, String idOrUid, AppIn in) throws SQLException {
    Optional<App> existing = find(tx, scope.orgId(), idOrUid);
    if (existing.isPresent() || in == null || scope.isApp()) {
      return resolve(tx, scope, idOrUid);
    }
    if (Ids.Prefix.APP.matches(idOrUid)) {
      throw new HeraldError.NotFound("Application not found.");
    }
    AppIn named = new AppIn(in.name(), idOrUid, in.rateLimit(), in.metadata());
    return insert(tx, scope.orgId(), named, null);
  }

  private App insert(Tx tx, String orgId, AppIn in, String uidOverride) throws SQLException {
    long now = clock.millis();
    App app =
        new App(
            Ids.next(Ids.Prefix.APP, clock.instant()),
            orgId,
            uidOverride != null ? uidOverride : in.uid(),
            in.name(),
            in.rateLimit(),
            in.metadata(),
            now,
            now,
            false);
    sql.insert(tx, app);
    return app;
  }

  ListResponse<AppOut> list(Scope scope, Page page) {
    return store.read(
        tx -> Page.map(page.respond(sql.list(tx, scope.orgId(), page), App::id), AppOut::of));
  }

  /** PUT: replaces the app, or creates it with the path's value as uid when it does not exist. */
  Saved upsert(Scope scope, String idOrUid, AppIn in) {
    return store.write(
        tx -> {
          Optional<App> existing = find(tx, scope.orgId(), idOrUid);
          if (existing.isEmpty()) {
            if (Ids.Prefix.APP.matches(idOrUid)) {
              throw new HeraldError.NotFound("Application not found.");
            }
            if (in.uid() != null && !in.uid().equals(idOrUid)) {
              throw HeraldError.Invalid.of(
                  java.util.List.of("body", "uid"),
                  "uid must match the uid in the path when creating",
                  "value_error");
            }
            return new Saved(insert(tx, scope.orgId(), in, idOrUid), true);
          }
          App a = existing.get();
          App updated =
              new App(
                  a.id(),
                  a.orgId(),
                  in.uid() != null ? in.uid() : a.uid(),
                  in.name(),
                  in.rateLimit(),
                  in.metadata(),
                  a.createdAt(),
                  clock.millis(),
                  false);
          sql.update(tx, updated);
          return new Saved(updated, false);
        });
  }

  App patch(Scope scope, String idOrUid, AppIn.PatchIn in) {
    return store.write(
        tx -> {
          App a = resolve(tx, scope, idOrUid);
          App updated =
              new App(
                  a.id(),
                  a.orgId(),
                  in.uid().or(a.uid()),
                  in.name().or(a.name()),
                  in.rateLimit().map(r -> r == 0 ? null : r).or(a.rateLimit()),
                  in.metadata().or(a.metadata()),
                  a.createdAt(),
                  clock.millis(),
                  false);
          sql.update(tx, updated);
          return updated;
        });
  }

  void delete(Scope scope, String idOrUid) {
    store.write(
        tx -> {
          App a = resolve(tx, scope, idOrUid);
          sql.markDeleted(tx, scope.orgId(), a.id(), clock.millis());
          return null;
        });
  }
}
