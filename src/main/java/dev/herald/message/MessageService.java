package dev.herald.message;

import com.github.benmanes.caffeine.cache.Cache;
import dev.herald.app.App;
import dev.herald.app.AppService;
import dev.herald.core.Caches;
import dev.herald.core.HeraldError;
import dev.herald.core.Ids;
import dev.herald.core.Scope;
import dev.herald.delivery.Delivery;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.delivery.FreshDeliveries;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointService;
import dev.herald.queue.DeliveryQueue;
import dev.herald.store.Batcher;
import dev.herald.store.Dialect;
import dev.herald.store.Store;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import dev.herald.web.ListResponse;
import dev.herald.web.Page;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Messages. Accepting one writes, in one transaction, the application it may create, the message
 * and one pending delivery per matching endpoint (the fan-out): a 2xx means all of them are
 * committed. Only then are the delivery ids offered to the queue; one the queue refuses or loses is
 * found again by the sweeper.
 */
public final class MessageService {
  private final Store store;
  private final MessageSql sql;
  private final AppService apps;
  private final EndpointService endpoints;
  private final DeliveryLedger ledger;
  private final DeliveryQueue queue;
  private final Duration queueLease;
  private final Clock clock;
  private final FreshDeliveries freshDeliveries;

  /**
   * Messages just accepted, with their payloads, for the attempts that follow within moments: an
   * attempt finds its message here instead of reading it back (once per endpoint of a fan-out).
   * Bounded by payload characters ({@link #FRESH_BUDGET_FRACTION} of the heap, at most {@link
   * #MAX_FRESH_CHARS}) and by time; anything evicted is read from the database as before.
   */
  private final Cache<String, Message> fresh;

  /** Share of the max heap the fresh messages may hold (by payload characters, 2 bytes each). */
  static final int FRESH_BUDGET_FRACTION = 64;

  /** Payload characters the fresh messages hold at most, whatever the heap. */
  static final long MAX_FRESH_CHARS = 16L << 20;

  /** How long a fresh message is kept. */
  static final Duration FRESH_FOR = Duration.ofSeconds(30);

  /**
   * Payload characters of a message whose accept may share a statement with others (PostgreSQL); a
   * larger one is written alone, so that one statement carries at most {@link #MAX_BATCH} times
   * this.
   */
  static final int MAX_BATCHED_PAYLOAD = 64 * 1024;

  /**
   * Endpoints of a message whose accept may share a statement with others; a larger fan-out is
   * written alone, so that one statement carries at most {@link #MAX_BATCH} times this many
   * deliveries.
   */
  static final int MAX_BATCHED_FANOUT = 128;

  /** Statements in flight at once at most: while one commits, the next batch is on its way. */
  static final int WRITERS = 2;

  /** Accepts in one statement at most. */
  static final int MAX_BATCH = 32;

  /** PostgreSQL: accepts of concurrent requests, written together; null on SQLite. */
  private final Batcher<Accepted, Accepted> accepts;

  public MessageService(
      Store store,
      Json json,
      AppService apps,
      EndpointService endpoints,
      DeliveryLedger ledger,
      DeliveryQueue queue,
      FreshDeliveries freshDeliveries,
      Duration queueLease,
      Clock clock) {
    this.freshDeliveries = freshDeliveries;
    this.store = store;
    this.sql = new MessageSql(json);
    this.apps = apps;
    this.endpoints = endpoints;
    this.ledger = ledger;
    this.queue = queue;
    this.queueLease = queueLease;
    this.clock = clock;
    this.fresh =
        Caches.newBuilder()
            .maximumWeight(
                Math.min(
                    MAX_FRESH_CHARS, Runtime.getRuntime().maxMemory() / 2 / FRESH_BUDGET_FRACTION))
            .weigher((String id, Message m) -> 64 + m.payload().length())
            .expireAfterWrite(FRESH_FOR)
            .build();
    this.accepts =
        store.dialect() == Dialect.POSTGRESQL
            ? new Batcher<>(
                store, Store.Commit.DURABLE, WRITERS, MAX_BATCH, this::writeAll, this::write)
            : null;
  }

  /** Accepts written through shared statements, and those statements; empty on SQLite. */
  public Optional<Store.WriteCounts> acceptCounts() {
    return Optional.ofNullable(accepts).map(Batcher::counts);
  }

  /**
   * Message {@code msgId} as just accepted, with its payload, if this node still holds it; an
   * expunge drops it at once.
   */
  public Optional<Message> fresh(String msgId) {
    return Optional.ofNullable(fresh.getIfPresent(msgId));
  }

  private record Accepted(Message message, List<Delivery> deliveries) {}

  Message create(Scope scope, String appIdOrUid, MessageIn in) {
    // The application and its endpoints come from the cache, outside the transaction: the one
    // writer (SQLite) then only inserts. An application this call creates has no endpoints yet.
    Optional<App> known = apps.lookup(scope, appIdOrUid);
    List<String> targets =
        known
            .map(
                app ->
                    endpoints.matching(app.id(), in.eventType(), in.channels()).stream()
                        .map(Endpoint::id)
                        .toList())
            .orElse(null);
    Accepted accepted =
        known.isPresent() && store.dialect() == Dialect.POSTGRESQL
            ? acceptInOneStatement(known.get(), in, targets)
            : store.write(
                tx -> {
                  App app =
                      known.isPresent()
                          ? known.get()
                          : apps.getOrCreate(tx, scope, appIdOrUid, in.application());
                  Message m = insert(tx, app, in);
                  return new Accepted(
                      m, fanOut(tx, m, targets != null ? targets : targets(tx, m.appId(), m)));
                });
    if (!accepted.deliveries().isEmpty()) {
      fresh.put(accepted.message().id(), accepted.message());
      freshDeliveries.remember(accepted.deliveries());
    }
    for (String refused : ledger.handOff(store, queue, DeliveryLedger.ids(accepted.deliveries()))) {
      freshDeliveries.forget(refused);
    }
    return accepted.message();
  }

  /**
   * PostgreSQL, for an application that exists: the message and its fan-out as one statement
   * without BEGIN and COMMIT (one round trip instead of three), shared with the accepts of
   * concurrent requests ({@link Batcher}). A repeated eventId is looked for first and, should two
   * requests race, refused by the unique index (a batch that holds both is then written one by one,
   * so only the second fails).
   */
  private Accepted acceptInOneStatement(App app, MessageIn in, List<String> targets) {
    if (in.eventId() != null
        && store.read(tx -> sql.byEventId(tx, app.id(), in.eventId())).isPresent()) {
      throw duplicateEventId();
    }
    Message m = message(app, in);
    Accepted a =
        new Accepted(
            m,
            DeliveryLedger.pending(m.appId(), m.id(), targets, Delivery.SCHEDULED, m.createdAt()));
    try {
      boolean small =
          m.payload().length() <= MAX_BATCHED_PAYLOAD && targets.size() <= MAX_BATCHED_FANOUT;
      return small ? accepts.submit(a) : store.writeOne(tx -> write(tx, a));
    } catch (HeraldError.Conflict e) {
      throw in.eventId() != null ? duplicateEventId() : e;
    }
  }

  /** {@code a}'s message and deliveries, as one statement. */
  private Accepted write(Tx tx, Accepted a) throws SQLException {
    ledger.create(tx, sql.insertion(a.message()), a.deliveries(), queueLease.toMillis());
    return a;
  }

  /** Several accepts' messages and deliveries, as one statement. */
  private List<Accepted> writeAll(Tx tx, List<Accepted> all) throws SQLException {
    List<Delivery> rows = new java.util.ArrayList<>();
    for (Accepted a : all) {
      rows.addAll(a.deliveries());
    }
    ledger.create(
        tx,
        sql.insertions(all.stream().map(Accepted::message).toList()),
        rows,
        queueLease.toMillis());
    return all;
  }

  private static HeraldError.Conflict duplicateEventId() {
    return new HeraldError.Conflict("A message with this eventId already exists.");
  }

  /**
   * Writes, in the caller's transaction, a message of {@code eventType} whose payload is the JSON
   * object text {@code payload} for {@code app}, and one pending delivery per matching endpoint.
   * Returns the delivery ids, for {@link #handOff} once the transaction committed. A message that
   * matches no endpoint is not stored (empty list).
   */
  public List<String> publish(Tx tx, App app, String eventType, String payload)
      throws SQLException {
    List<String> targets =
        endpoints.matching(tx, app.id(), eventType, null).stream().map(Endpoint::id).toList();
    if (targets.isEmpty()) {
      return List.of();
    }
    Duration retention = Duration.ofDays(MessageIn.DEFAULT_RETENTION_DAYS);
    Message m =
        insert(tx, app, new MessageIn(eventType, null, null, null, payload, retention, null));
    return DeliveryLedger.ids(fanOut(tx, m, targets));
  }

  /** Offers committed delivery ids to the queue; the sweeper finds any it refuses. */
  public void handOff(List<String> deliveryIds) {
    ledger.handOff(store, queue, deliveryIds);
  }

  /** The ids of the endpoints of {@code appId} that {@code m} goes to. */
  private List<String> targets(Tx tx, String appId, Message m) throws SQLException {
    return endpoints.matching(tx, appId, m.eventType(), m.channels()).stream()
        .map(Endpoint::id)
        .toList();
  }

  /** One pending delivery of {@code m} per endpoint in {@code targets}, marked queued; the rows. */
  private List<Delivery> fanOut(Tx tx, Message m, List<String> targets) throws SQLException {
    return ledger.create(
        tx,
        null,
        DeliveryLedger.pending(m.appId(), m.id(), targets, Delivery.SCHEDULED, clock.millis()),
        queueLease.toMillis());
  }

  /** Writes the message for {@code app} in {@code tx}; a repeated {@code eventId} is a 409. */
  Message insert(Tx tx, App app, MessageIn in) throws SQLException {
    if (in.eventId() != null && sql.byEventId(tx, app.id(), in.eventId()).isPresent()) {
      throw duplicateEventId();
    }
    Message m = message(app, in);
    tx.update(sql.insertion(m));
    return m;
  }

  /** A new message of {@code app}, as {@code in} asks, created now; not yet written. */
  private Message message(App app, MessageIn in) {
    Instant now = clock.instant();
    return new Message(
        Ids.next(Ids.Prefix.MESSAGE, now),
        app.id(),
        in.eventType(),
        in.eventId(),
        in.channels(),
        in.tags(),
        in.payload(),
        now.toEpochMilli(),
        now.plus(in.retention()).toEpochMilli());
  }

  /**
   * Writes, in {@code tx}, a message of {@code eventType} with {@code payload} (a JSON object text)
   * and the default retention, without any fan-out: the caller decides where it goes (Svix's
   * send-example sends it to one endpoint only).
   */
  public Message insertUnrouted(Tx tx, App app, String eventType, String payload)
      throws SQLException {
    return insert(
        tx,
        app,
        new MessageIn(
            eventType,
            null,
            null,
            null,
            payload,
            Duration.ofDays(MessageIn.DEFAULT_RETENTION_DAYS),
            null));
  }

  /** Message {@code msgId} (an id the caller wrote, e.g. in a delivery row), of any app. */
  public Optional<Message> byId(Tx tx, String msgId) throws SQLException {
    return sql.byIdAnyApp(tx, msgId);
  }

  /**
   * Characters of message {@code msgId}'s payload, any app: how much an attempt will hold before it
   * loads it. Empty when the message is gone or its payload expunged.
   */
  public Optional<Long> payloadLength(Tx tx, String msgId) throws SQLException {
    return sql.payloadLength(tx, msgId);
  }

  /** The message named by {@code msgIdOrEventId} (a {@code msg_} id or an eventId). */
  Message get(Scope scope, String appIdOrUid, String msgIdOrEventId) {
    return store.read(tx -> find(tx, apps.resolve(tx, scope, appIdOrUid), msgIdOrEventId));
  }

  /** The message of {@code app} named by {@code msgIdOrEventId}; 404 when there is none. */
  public Message find(Tx tx, App app, String msgIdOrEventId) throws SQLException {
    return (Ids.Prefix.MESSAGE.matches(msgIdOrEventId)
            ? sql.byId(tx, app.id(), msgIdOrEventId)
            : sql.byEventId(tx, app.id(), msgIdOrEventId))
        .orElseThrow(() -> new HeraldError.NotFound("Message not found."));
  }

  /** Newest first by default; the iterator is the id of the last message seen. */
  ListResponse<Message> list(Scope scope, String appIdOrUid, MessageQuery q, Page page) {
    return store.read(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          Message cursor = page.iterator() == null ? null : cursor(tx, app, page.iterator());
          List<Message> rows = sql.list(tx, app.id(), q, page, cursor);
          return page.respond(rows, Message::id);
        });
  }

  private Message cursor(Tx tx, App app, String iterator) throws SQLException {
    String id = iterator.startsWith("-") ? iterator.substring(1) : iterator;
    return sql.byId(tx, app.id(), id)
        .orElseThrow(
            () -> Page.query("iterator", "iterator names no message of this app", "value_error"));
  }

  /** Svix's expunge: the payload is dropped for good; the message stays. */
  void expunge(Scope scope, String appIdOrUid, String msgIdOrEventId) {
    store.write(
        tx -> {
          Message m = find(tx, apps.resolve(tx, scope, appIdOrUid), msgIdOrEventId);
          tx.afterEnd(() -> fresh.invalidate(m.id()));
          return sql.expunge(tx, m.appId(), m.id());
        });
  }
}
