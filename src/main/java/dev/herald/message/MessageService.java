package dev.herald.message;

import dev.herald.app.App;
import dev.herald.app.AppService;
import dev.herald.core.HeraldError;
import dev.herald.core.Ids;
import dev.herald.core.Scope;
import dev.herald.delivery.Delivery;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointService;
import dev.herald.queue.DeliveryQueue;
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

  public MessageService(
      Store store,
      Json json,
      AppService apps,
      EndpointService endpoints,
      DeliveryLedger ledger,
      DeliveryQueue queue,
      Duration queueLease,
      Clock clock) {
    this.store = store;
    this.sql = new MessageSql(json);
    this.apps = apps;
    this.endpoints = endpoints;
    this.ledger = ledger;
    this.queue = queue;
    this.queueLease = queueLease;
    this.clock = clock;
  }

  private record Accepted(Message message, List<String> deliveries) {}

  Message create(Scope scope, String appIdOrUid, MessageIn in) {
    Accepted accepted =
        store.write(
            tx -> {
              App app = apps.getOrCreate(tx, scope, appIdOrUid, in.application());
              Message m = insert(tx, app, in);
              List<String> targets =
                  endpoints.matching(tx, app.id(), m.eventType(), m.channels()).stream()
                      .map(Endpoint::id)
                      .toList();
              long now = clock.millis();
              return new Accepted(
                  m,
                  ledger.create(
                      tx,
                      app.id(),
                      m.id(),
                      targets,
                      Delivery.SCHEDULED,
                      now,
                      now + queueLease.toMillis()));
            });
    ledger.handOff(store, queue, accepted.deliveries());
    return accepted.message();
  }

  /** Writes the message for {@code app} in {@code tx}; a repeated {@code eventId} is a 409. */
  Message insert(Tx tx, App app, MessageIn in) throws SQLException {
    Instant now = clock.instant();
    if (in.eventId() != null && sql.byEventId(tx, app.id(), in.eventId()).isPresent()) {
      throw new HeraldError.Conflict("A message with this eventId already exists.");
    }
    Message m =
        new Message(
            Ids.next(Ids.Prefix.MESSAGE, now),
            app.id(),
            in.eventType(),
            in.eventId(),
            in.channels(),
            in.tags(),
            in.payload(),
            now.toEpochMilli(),
            now.plus(in.retention()).toEpochMilli());
    sql.insert(tx, m);
    return m;
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

  private Message find(Tx tx, App app, String msgIdOrEventId) throws SQLException {
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
          return sql.expunge(tx, m.appId(), m.id());
        });
  }
}
