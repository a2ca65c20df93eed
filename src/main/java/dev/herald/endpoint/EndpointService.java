package dev.herald.endpoint;

import dev.herald.app.AppService;
import dev.herald.core.HeraldError;
import dev.herald.core.Ids;
import dev.herald.core.Scope;
import dev.herald.store.RowCache;
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
 *
 * <p>Every change made through the routes is reported to {@link EndpointEvents} in the same
 * transaction (created, updated, deleted, disabled by hand), and the events' deliveries are handed
 * to the queue after commit. The operations that take an application id and a {@link Tx} (for the
 * operational-webhook feature, whose endpoints live in a hidden application) report nothing.
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
  private final EndpointEvents events;

  private final RowCache<String, LiveEndpoints> cache;

  /**
   * An endpoint service that reports its changes to {@code events} and reads an application's
   * endpoints for the delivery path through {@code cache} (which services sharing the table must
   * share: each drops it after its writes).
   */
  public EndpointService(
      Store store,
      AppService apps,
      Json json,
      Clock clock,
      EndpointEvents events,
      RowCache<String, LiveEndpoints> cache) {
    this.store = store;
    this.apps = apps;
    this.cache = cache;
    this.sql = new EndpointSql(json, cache);
    this.clock = clock;
    this.events = events;
  }

  /** An endpoint service that reports nothing and caches nothing. */
  public EndpointService(Store store, AppService apps, Json json, Clock clock) {
    this(store, apps, json, clock, EndpointEvents.NONE, RowCache.disabled());
  }

  /**
   * A cache fit for {@link #EndpointService(Store, AppService, Json, Clock, EndpointEvents,
   * RowCache)}: at most {@code maxEndpoints} endpoints.
   */
  public static RowCache<String, LiveEndpoints> cache(long maxEndpoints, Duration ttl) {
    return RowCache.of(maxEndpoints, (String app, LiveEndpoints live) -> live.weight(), ttl);
  }

  /** The result of a PUT: the endpoint, and whether this call created it. */
  public record Saved(Endpoint endpoint, boolean created) {}

  // ---- for other features

  /**
   * The endpoints of application {@code appId} (an {@code app_} id) that a message of {@code
   * eventType} on {@code channels} (null: none) goes to, by id. See {@link Endpoint#accepts}.
   */
  public List<Endpoint> matching(Tx tx, String appId, String eventType, List<String> channels)
      throws SQLException {
    return sql.enabled(tx, appId).stream().filter(e -> e.accepts(eventType, channels)).toList();
  }

  /**
   * Like {@link #matching(Tx, String, String, List)}, read through the cache outside any
   * transaction: an endpoint changed on another node is seen within the cache's expiry.
   */
  public List<Endpoint> matching(String appId, String eventType, List<String> channels) {
    return live(appId).all().stream()
        .filter(e -> !e.disabled() && e.accepts(eventType, channels))
        .toList();
  }

  /**
   * Endpoint {@code endpointId} of application {@code appId} (ids the caller read from its own
   * rows), unless it is deleted; read through the cache, like {@link #matching(String, String,
   * List)}.
   */
  public Optional<Endpoint> cached(String appId, String endpointId) {
    for (Endpoint e : live(appId).all()) {
      if (e.id().equals(endpointId)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  private LiveEndpoints live(String appId) {
    return cache.get(appId, app -> store.read(tx -> sql.live(tx, app)));
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

  /**
   * Whether endpoint {@code endpointId} of {@code appId} may be in a failure streak: false only
   * when the cache holds the application's endpoints and says it is not (an entry at most the
   * cache's expiry old), so a success need not write. Never loads: safe inside a transaction.
   */
  public boolean maybeFailing(String appId, String endpointId) {
    LiveEndpoints live = cache.peek(appId);
    return live == null || live.failing().contains(endpointId);
  }

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

  /** When the failure streak of {@code endpointId} began; empty when none runs. */
  public Optional<Long> failingSince(Tx tx, String endpointId) throws SQLException {
    return sql.failingSince(tx, endpointId);
  }

  /** Disables {@code endpointId} at once (it answered 410 Gone); true when this call did. */
  public boolean disableGone(Tx tx, String endpointId, long now) throws SQLException {
    return sql.disable(tx, endpointId, now);
  }

  // ---- on an application named by id, in the caller's transaction, reporting nothing

  /** The endpoints of application {@code appId}, a page of them. */
  public ListResponse<Endpoint> list(Tx tx, String appId, Page page) throws SQLException {
    return page.respond(sql.list(tx, appId, page), Endpoint::id);
  }

  /** Endpoint {@code idOrUid} (an {@code ep_} id or a uid) of application {@code appId}; 404. */
  public Endpoint get(Tx tx, String appId, String idOrUid) throws SQLException {
    return find(tx, appId, idOrUid)
        .orElseThrow(() -> new HeraldError.NotFound("Endpoint not found."));
  }

  /** Creates an endpoint of application {@code appId} from {@code in}. */
  public Endpoint create(Tx tx, String appId, EndpointIn in) throws SQLException {
    return insert(tx, appId, in, in.uid());
  }

  /** PUT: replaces the endpoint, or creates it with the path's value as uid when it is absent. */
  public Saved upsert(Tx tx, String appId, String idOrUid, EndpointIn in) throws SQLException {
    Optional<Endpoint> existing = find(tx, appId, idOrUid);
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
      return new Saved(insert(tx, appId, in, idOrUid), true);
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
  }

  Endpoint patch(Tx tx, String appId, String idOrUid, EndpointIn.PatchIn in) throws SQLException {
    Endpoint e = get(tx, appId, idOrUid);
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
  }

  /** Marks the endpoint deleted; returns it as it was. */
  public Endpoint delete(Tx tx, String appId, String idOrUid) throws SQLException {
    Endpoint e = get(tx, appId, idOrUid);
    sql.markDeleted(tx, e.appId(), e.id(), clock.millis());
    return e;
  }

  /** Replaces the headers ({@code replace}) or applies {@code headers} as changes to them. */
  public void writeHeaders(
      Tx tx, String appId, String idOrUid, Map<String, String> headers, boolean replace)
      throws SQLException {
    Endpoint e = get(tx, appId, idOrUid);
    Map<String, String> next = Headers.apply(replace ? Map.of() : e.headers(), headers);
    sql.update(tx, withKeys(e, next, e.secret(), e.oldSecrets()));
  }

  /**
   * Makes {@code key} (null: a generated one) the signing key; the previous key keeps signing for
   * {@code grace}. Expired old keys are dropped, and at most {@link #MAX_OLD_KEYS} are kept.
   */
  public void rotate(Tx tx, String appId, String idOrUid, String key, Duration grace)
      throws SQLException {
    Endpoint e = get(tx, appId, idOrUid);
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
  }

  /** The live endpoint of application {@code appId} named by {@code idOrUid} (an id or uid). */
  public Optional<Endpoint> find(Tx tx, String appId, String idOrUid) throws SQLException {
    return Ids.Prefix.ENDPOINT.matches(idOrUid)
        ? sql.byId(tx, appId, idOrUid)
        : sql.byUid(tx, appId, idOrUid);
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

  // ---- for the routes: scoped by the caller's token, each change reported to the events

  /** A result, and the deliveries of the events its transaction wrote. */
  private record Reported<T>(T value, List<String> deliveries) {}

  /** Runs {@code work} in one transaction; hands the events' deliveries off after commit. */
  private <T> T reporting(Store.Work<Reported<T>> work) {
    Reported<T> done = store.write(work);
    events.handOff(done.deliveries());
    return done.value();
  }

  /**
   * The events of an update from {@code before} to {@code after}: updated, and disabled (trigger
   * "manual") when it turned the endpoint off. An endpoint created disabled was never turned off.
   */
  private List<String> updated(Tx tx, Endpoint before, Endpoint after) throws SQLException {
    List<String> ids = new ArrayList<>(events.changed(tx, after, EndpointEvents.Change.UPDATED));
    if (after.disabled() && !before.disabled()) {
      ids.addAll(events.disabled(tx, after));
    }
    return ids;
  }

  private String appId(Tx tx, Scope scope, String appIdOrUid) throws SQLException {
    return apps.resolve(tx, scope, appIdOrUid).id();
  }

  ListResponse<EndpointOut> list(Scope scope, String appIdOrUid, Page page) {
    return store.read(
        tx -> Page.map(list(tx, appId(tx, scope, appIdOrUid), page), EndpointOut::of));
  }

  Endpoint get(Scope scope, String appIdOrUid, String idOrUid) {
    return store.read(tx -> get(tx, appId(tx, scope, appIdOrUid), idOrUid));
  }

  Endpoint create(Scope scope, String appIdOrUid, EndpointIn in) {
    return reporting(
        tx -> {
          Endpoint e = create(tx, appId(tx, scope, appIdOrUid), in);
          return new Reported<>(e, events.changed(tx, e, EndpointEvents.Change.CREATED));
        });
  }

  Saved upsert(Scope scope, String appIdOrUid, String idOrUid, EndpointIn in) {
    return reporting(
        tx -> {
          String appId = appId(tx, scope, appIdOrUid);
          Optional<Endpoint> before = find(tx, appId, idOrUid);
          Saved saved = upsert(tx, appId, idOrUid, in);
          List<String> ids =
              before.isPresent()
                  ? updated(tx, before.get(), saved.endpoint())
                  : events.changed(tx, saved.endpoint(), EndpointEvents.Change.CREATED);
          return new Reported<>(saved, ids);
        });
  }

  Endpoint patch(Scope scope, String appIdOrUid, String idOrUid, EndpointIn.PatchIn in) {
    return reporting(
        tx -> {
          String appId = appId(tx, scope, appIdOrUid);
          Endpoint before = get(tx, appId, idOrUid);
          Endpoint after = patch(tx, appId, idOrUid, in);
          return new Reported<>(after, updated(tx, before, after));
        });
  }

  void delete(Scope scope, String appIdOrUid, String idOrUid) {
    reporting(
        tx -> {
          Endpoint e = delete(tx, appId(tx, scope, appIdOrUid), idOrUid);
          return new Reported<>(e, events.changed(tx, e, EndpointEvents.Change.DELETED));
        });
  }

  Headers.Out headers(Scope scope, String appIdOrUid, String idOrUid) {
    return Headers.redacted(get(scope, appIdOrUid, idOrUid).headers());
  }

  void writeHeaders(
      Scope scope,
      String appIdOrUid,
      String idOrUid,
      Map<String, String> headers,
      boolean replace) {
    store.write(
        tx -> {
          writeHeaders(tx, appId(tx, scope, appIdOrUid), idOrUid, headers, replace);
          return null;
        });
  }

  /** The secret as the API shows it: {@code whsec_…}, or {@code whpk_…} for an Ed25519 key. */
  String secret(Scope scope, String appIdOrUid, String idOrUid) {
    return get(scope, appIdOrUid, idOrUid).shownSecret();
  }

  void rotate(Scope scope, String appIdOrUid, String idOrUid, String key, Duration grace) {
    store.write(
        tx -> {
          rotate(tx, appId(tx, scope, appIdOrUid), idOrUid, key, grace);
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
