package dev.herald.endpoint;

import dev.herald.app.App;
import dev.herald.app.AppService;
import dev.herald.core.HeraldError;
import dev.herald.core.Ids;
import dev.herald.core.Scope;
import dev.herald.store.Store;
import dev.herald.store.Tx;
import dev.herald.web.Input;
import dev.herald.web.Json;
import dev.herald.web.ListResponse;
import dev.herald.web.Page;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Endpoints of an application: CRUD, headers and secrets. Other features find the endpoints of a
 * message with {@link #matching} and sign with {@link #signingKeys}, inside their own transaction.
 */
public final class EndpointService {
  /** How long a rotated-away key still signs, unless the caller says otherwise (Svix: 24 h). */
  static final Duration DEFAULT_GRACE = Duration.ofHours(24);

  /** Longest grace period a caller may ask for (Svix: 7 days). */
  static final Duration MAX_GRACE = Duration.ofDays(7);

  /** Most rotated-away keys kept per endpoint (Svix); the oldest go first. */
  static final int MAX_OLD_KEYS = 10;

  /** Longest uid (Svix). */
  static final int MAX_UID_LENGTH = 256;

  private final Store store;
  private final AppService apps;
  private final EndpointSql sql;
  private final Secrets secrets = new Secrets();
  private final Clock clock;

  public EndpointService(Store store, AppService apps, Json json, Clock clock) {
    this.store = store;
    this.apps = apps;
    this.sql = new EndpointSql(json);
    this.clock = clock;
  }

  /** The result of a PUT: the endpoint, and whether this call created it. */
  record Saved(Endpoint endpoint, boolean created) {}

  // ---- for other features

  /**
   * The endpoints of application {@code appId} (an {@code app_} id) that a message of {@code
   * eventType} on {@code channels} (null: none) goes to, by id. See {@link Endpoint#accepts}.
   */
  public List<Endpoint> matching(Tx tx, String appId, String eventType, List<String> channels)
      throws SQLException {
    return sql.enabled(tx, appId).stream().filter(e -> e.accepts(eventType, channels)).toList();
  }

  /** The endpoint with id {@code endpointId}, unless it is deleted. */
  public Optional<Endpoint> find(Tx tx, String endpointId) throws SQLException {
    return sql.byId(tx, endpointId);
  }

  /**
   * The keys to sign a delivery to {@code endpointId} with at {@code now}: the current key, then
   * the rotated-away keys still in their grace period. Empty when the endpoint is gone.
   */
  public List<String> signingKeys(Tx tx, String endpointId, Instant now) throws SQLException {
    return sql.byId(tx, endpointId).map(e -> e.signingKeys(now)).orElse(List.of());
  }

  // ---- the failure lifecycle, for the delivery engine (kept in the database, not a cache)

  /** A delivery to {@code endpointId} succeeded: any failure streak ends. */
  public void recordSuccess(Tx tx, String endpointId) throws SQLException {
    sql.clearFailing(tx, endpointId);
  }

  /**
   * A delivery to {@code endpointId} was exhausted at {@code now}. Svix's rule: the first
   * exhaustion since the last success starts a streak; an exhaustion more than {@code disableAfter}
   * into the streak disables the endpoint. Returns true when this call disabled it. {@code
   * disableAfter} zero never disables.
   */
  public boolean recordExhausted(Tx tx, String endpointId, long now, Duration disableAfter)
      throws SQLException {
    long since = sql.markFailing(tx, endpointId, now);
    return !disableAfter.isZero()
        && now - since > disableAfter.toMillis()
        && sql.disable(tx, endpointId, now);
  }

  /** Disables {@code endpointId} at once (it answered 410 Gone); true when this call did. */
  public boolean disableGone(Tx tx, String endpointId, long now) throws SQLException {
    return sql.disable(tx, endpointId, now);
  }

  // ---- for the routes

  private Endpoint resolve(Tx tx, Scope scope, String appIdOrUid, String idOrUid)
      throws SQLException {
    App app = apps.resolve(tx, scope, appIdOrUid);
    return find(tx, app.id(), idOrUid)
        .orElseThrow(() -> new HeraldError.NotFound("Endpoint not found."));
  }

  /** The live endpoint of application {@code appId} named by {@code idOrUid} (an id or uid). */
  public Optional<Endpoint> find(Tx tx, String appId, String idOrUid) throws SQLException {
    return Ids.Prefix.ENDPOINT.matches(idOrUid)
        ? sql.byId(tx, appId, idOrUid)
        : sql.byUid(tx, appId, idOrUid);
  }

  ListResponse<EndpointOut> list(Scope scope, String appIdOrUid, Page page) {
    return store.read(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          return Page.map(
              page.respond(sql.list(tx, app.id(), page), Endpoint::id), EndpointOut::of);
        });
  }

  Endpoint get(Scope scope, String appIdOrUid, String idOrUid) {
    return store.read(tx -> resolve(tx, scope, appIdOrUid, idOrUid));
  }

  Endpoint create(Scope scope, String appIdOrUid, EndpointIn in) {
    return store.write(tx -> insert(tx, apps.resolve(tx, scope, appIdOrUid).id(), in, in.uid()));
  }

  private Endpoint insert(Tx tx, String appId, EndpointIn in, String uid) throws SQLException {
    long now = clock.millis();
    Endpoint e =
        new Endpoint(
            Ids.next(Ids.Prefix.ENDPOINT, clock.instant()),
            appId,
            uid,
            in.url(),
            in.description(),
            in.version(),
            in.rateLimit(),
            in.disabled(),
            in.filterTypes(),
            in.channels(),
            in.metadata(),
            in.headers() == null ? Map.of() : in.headers(),
            in.secret() != null ? in.secret() : secrets.generate(),
            List.of(),
            now,
            now);
    sql.insert(tx, e);
    return e;
  }

  /** PUT: replaces the endpoint, or creates it with the path's value as uid when it is absent. */
  Saved upsert(Scope scope, String appIdOrUid, String idOrUid, EndpointIn in) {
    return store.write(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          Optional<Endpoint> existing = find(tx, app.id(), idOrUid);
          if (existing.isEmpty()) {
            if (Ids.Prefix.ENDPOINT.matches(idOrUid)) {
              throw new HeraldError.NotFound("Endpoint not found.");
            }
            if (idOrUid.length() > MAX_UID_LENGTH || !Input.ID_LIKE.matcher(idOrUid).matches()) {
              throw HeraldError.Invalid.of(
                  List.of("path", "endpoint_id"),
                  "string does not match regex \"" + Input.ID_LIKE.pattern() + "\"",
                  "value_error.str.regex");
            }
            if (in.uid() != null && !in.uid().equals(idOrUid)) {
              throw HeraldError.Invalid.of(
                  List.of("body", "uid"),
                  "uid must match the uid in the path when creating",
                  "value_error");
            }
            return new Saved(insert(tx, app.id(), in, idOrUid), true);
          }
          Endpoint e = existing.get();
          Endpoint updated =
              new Endpoint(
                  e.id(),
                  e.appId(),
                  in.uid() != null ? in.uid() : e.uid(),
                  in.url(),
                  in.description(),
                  in.version(),
                  in.rateLimit(),
                  in.disabled(),
                  in.filterTypes(),
                  in.channels(),
                  in.metadata(),
                  e.headers(),
                  e.secret(),
                  e.oldSecrets(),
                  e.createdAt(),
                  clock.millis());
          sql.update(tx, updated);
          return new Saved(updated, false);
        });
  }

  Endpoint patch(Scope scope, String appIdOrUid, String idOrUid, EndpointIn.PatchIn in) {
    return store.write(
        tx -> {
          Endpoint e = resolve(tx, scope, appIdOrUid, idOrUid);
          Endpoint updated =
              new Endpoint(
                  e.id(),
                  e.appId(),
                  in.uid().or(e.uid()),
                  in.url().or(e.url()),
                  in.description().or(e.description()),
                  in.version().or(e.version()),
                  in.rateLimit().or(e.rateLimit()),
                  in.disabled().or(e.disabled()),
                  in.filterTypes().or(e.filterTypes()),
                  in.channels().or(e.channels()),
                  in.metadata().or(e.metadata()),
                  e.headers(),
                  e.secret(),
                  e.oldSecrets(),
                  e.createdAt(),
                  clock.millis());
          sql.update(tx, updated);
          return updated;
        });
  }

  void delete(Scope scope, String appIdOrUid, String idOrUid) {
    store.write(
        tx -> {
          Endpoint e = resolve(tx, scope, appIdOrUid, idOrUid);
          sql.markDeleted(tx, e.appId(), e.id(), clock.millis());
          return null;
        });
  }

  Headers.Out headers(Scope scope, String appIdOrUid, String idOrUid) {
    return Headers.redacted(get(scope, appIdOrUid, idOrUid).headers());
  }

  /** Replaces the headers ({@code replace}) or applies {@code headers} as changes to them. */
  void writeHeaders(
      Scope scope,
      String appIdOrUid,
      String idOrUid,
      Map<String, String> headers,
      boolean replace) {
    store.write(
        tx -> {
          Endpoint e = resolve(tx, scope, appIdOrUid, idOrUid);
          Map<String, String> next = Headers.apply(replace ? Map.of() : e.headers(), headers);
          sql.update(tx, withKeys(e, next, e.secret(), e.oldSecrets()));
          return null;
        });
  }

  String secret(Scope scope, String appIdOrUid, String idOrUid) {
    return get(scope, appIdOrUid, idOrUid).secret();
  }

  /**
   * Makes {@code key} (null: a generated one) the signing key; the previous key keeps signing for
   * {@code grace}. Expired old keys are dropped, and at most {@link #MAX_OLD_KEYS} are kept.
   */
  void rotate(Scope scope, String appIdOrUid, String idOrUid, String key, Duration grace) {
    store.write(
        tx -> {
          Endpoint e = resolve(tx, scope, appIdOrUid, idOrUid);
          long now = clock.millis();
          List<Endpoint.OldKey> old = new ArrayList<>();
          for (Endpoint.OldKey k : e.oldSecrets()) {
            if (k.expiresAt() > now) {
              old.add(k);
            }
          }
          if (!grace.isZero()) {
            old.add(new Endpoint.OldKey(e.secret(), now + grace.toMillis()));
          }
          if (old.size() > MAX_OLD_KEYS) {
            old = old.subList(old.size() - MAX_OLD_KEYS, old.size());
          }
          String next = key != null ? key : secrets.generate();
          sql.update(tx, withKeys(e, e.headers(), next, List.copyOf(old)));
          return null;
        });
  }

  private Endpoint withKeys(
      Endpoint e, Map<String, String> headers, String secret, List<Endpoint.OldKey> oldSecrets) {
    return new Endpoint(
        e.id(),
        e.appId(),
        e.uid(),
        e.url(),
        e.description(),
        e.version(),
        e.rateLimit(),
        e.disabled(),
        e.filterTypes(),
        e.channels(),
        e.metadata(),
        headers,
        secret,
        oldSecrets,
        e.createdAt(),
        clock.millis());
  }
}
