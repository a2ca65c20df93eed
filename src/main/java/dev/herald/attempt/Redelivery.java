package dev.herald.attempt;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.app.App;
import dev.herald.app.AppService;
import dev.herald.core.HeraldError;
import dev.herald.core.Ids;
import dev.herald.core.Scope;
import dev.herald.core.Times;
import dev.herald.delivery.Delivery;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.delivery.Status;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointService;
import dev.herald.eventtype.EventType;
import dev.herald.eventtype.EventTypeService;
import dev.herald.message.Message;
import dev.herald.message.MessageService;
import dev.herald.queue.DeliveryQueue;
import dev.herald.store.Store;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starting deliveries again: resend (one MANUAL delivery: one attempt, never retried), recover,
 * replay-missing and bulk-replay (new SCHEDULED deliveries, retried like the fan-out's), and
 * send-example (a new message delivered to one endpoint only).
 *
 * <p><b>Work and bounds.</b> Recover and the replays run inside the request, synchronously, in
 * transactions of at most {@link #BATCH} messages each: a batch's deliveries are committed, then
 * handed to the queue, so all that is answered is durable (the sweeper finds what the queue
 * refuses). One call queues at most {@link #MAX_SENT} messages and examines at most {@link
 * #MAX_SCANNED}; past either bound it stops and says {@code limitReached}. Calling again continues:
 * the messages already taken now have a newer delivery, so they are not taken twice. Memory holds
 * one batch. Two calls at the same moment on PostgreSQL may both take a message (at least once).
 */
public final class Redelivery {
  /** Messages per transaction. */
  static final int BATCH = 500;

  /** Most messages one recover or replay queues again. */
  static final int MAX_SENT = 10_000;

  /** Most messages one replay-missing examines (matching or not). */
  static final int MAX_SCANNED = 100_000;

  /** Payload of send-example when the event type has no example (Svix's generic one). */
  static final String GENERIC_EXAMPLE = "{\"data\":\"example\"}";

  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

  private final Store store;
  private final AttemptSql sql;
  private final Json json;
  private final AppService apps;
  private final EndpointService endpoints;
  private final MessageService messages;
  private final EventTypeService eventTypes;
  private final DeliveryLedger ledger;
  private final DeliveryQueue queue;
  private final Duration queueLease;
  private final Clock clock;

  public Redelivery(
      Store store,
      Json json,
      AppService apps,
      EndpointService endpoints,
      MessageService messages,
      EventTypeService eventTypes,
      DeliveryLedger ledger,
      DeliveryQueue queue,
      Duration queueLease,
      Clock clock) {
    this.store = store;
    this.sql = new AttemptSql(json);
    this.json = json;
    this.apps = apps;
    this.endpoints = endpoints;
    this.messages = messages;
    this.eventTypes = eventTypes;
    this.ledger = ledger;
    this.queue = queue;
    this.queueLease = queueLease;
    this.clock = clock;
  }

  private record Target(App app, Endpoint endpoint) {}

  /** The app and a live, enabled endpoint of it; a disabled one is a 409 (nothing would go). */
  private Target target(Tx tx, Scope scope, String appIdOrUid, String endpointIdOrUid)
      throws SQLException {
    App app = apps.resolve(tx, scope, appIdOrUid);
    Endpoint e = AttemptService.endpoint(endpoints, tx, app, endpointIdOrUid);
    if (e.disabled()) {
      throw new HeraldError.Conflict("Endpoint is disabled.");
    }
    return new Target(app, e);
  }

  private List<String> start(Tx tx, Target t, String msgId, int triggerType) throws SQLException {
    long now = clock.millis();
    return DeliveryLedger.ids(
        ledger.create(
            tx,
            null,
            DeliveryLedger.pending(
                t.app().id(), msgId, List.of(t.endpoint().id()), triggerType, now),
            queueLease.toMillis()));
  }

  /** Svix's resend: one more attempt of a message the endpoint was sent before. */
  void resend(Scope scope, String appIdOrUid, String msgIdOrEventId, String endpointIdOrUid) {
    List<String> ids =
        store.write(
            tx -> {
              App app = apps.resolve(tx, scope, appIdOrUid);
              Message m = messages.find(tx, app, msgIdOrEventId);
              if (m.payload() == null) {
                throw new HeraldError.BadRequest(
                    "missing_payload",
                    "Unable to resend message. Payload is missing (probably expired).");
              }
              Target t = target(tx, scope, appIdOrUid, endpointIdOrUid);
              if (!sql.wasSent(tx, app.id(), m.id(), t.endpoint().id())) {
                throw new HeraldError.NotFound("The message was never sent to this endpoint.");
              }
              return start(tx, t, m.id(), Delivery.MANUAL);
            });
    ledger.handOff(store, queue, ids);
  }

  /** Svix's recover: every message in the window whose latest delivery to the endpoint failed. */
  TaskOut recover(Scope scope, String appIdOrUid, String endpointIdOrUid, RedeliveryIn in) {
    return selected(
        scope, appIdOrUid, endpointIdOrUid, "endpoint.recover", in, List.of(Status.FAIL.code()));
  }

  /**
   * Svix Cloud's bulk replay: every message in the window sent to the endpoint whose latest
   * delivery ended (delivered or failed; one still in progress is left alone), filtered.
   */
  TaskOut bulkReplay(Scope scope, String appIdOrUid, String endpointIdOrUid, RedeliveryIn in) {
    List<Integer> ended = new ArrayList<>(List.of(Status.SUCCESS.code(), Status.FAIL.code()));
    if (in.status() != null) {
      ended.retainAll(List.of(in.status()));
    }
    return selected(scope, appIdOrUid, endpointIdOrUid, "endpoint.bulk-replay", in, ended);
  }

  private TaskOut selected(
      Scope scope,
      String appIdOrUid,
      String endpointIdOrUid,
      String task,
      RedeliveryIn in,
      List<Integer> statuses) {
    Target t = store.read(tx -> target(tx, scope, appIdOrUid, endpointIdOrUid));
    AttemptSql.Selection s =
        new AttemptSql.Selection(
            t.app().id(),
            t.endpoint().id(),
            in.since(),
            in.until(),
            statuses,
            in.eventTypes(),
            in.channel(),
            in.tag(),
            in.codeClass());
    int sent = 0;
    boolean more = !statuses.isEmpty();
    AttemptSql.Cursor cursor = AttemptSql.Cursor.START;
    while (more && sent < MAX_SENT) {
      int want = Math.min(BATCH, MAX_SENT - sent);
      AttemptSql.Cursor from = cursor;
      Batch b =
          store.write(
              tx -> {
                List<AttemptSql.Latest> rows = sql.selected(tx, s, from, want);
                List<String> ids = new ArrayList<>();
                for (AttemptSql.Latest d : rows) {
                  ids.addAll(start(tx, t, d.msgId(), Delivery.SCHEDULED));
                }
                AttemptSql.Latest last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
                return new Batch(
                    ids,
                    rows.size(),
                    rows.size(),
                    last == null ? from : new AttemptSql.Cursor(last.sortTime(), last.msgId()),
                    rows.size() == want);
              });
      ledger.handOff(store, queue, b.deliveries());
      sent += b.sent();
      cursor = b.cursor();
      more = b.full();
    }
    return done(task, sent, more);
  }

  private record Batch(
      List<String> deliveries, int sent, int scanned, AttemptSql.Cursor cursor, boolean full) {}

  /**
   * Svix Cloud's replay-missing: every message in the window that the endpoint matches now (event
   * type and channels) and that was never sent to it, such as those created before it existed.
   */
  TaskOut replayMissing(Scope scope, String appIdOrUid, String endpointIdOrUid, RedeliveryIn in) {
    Target t = store.read(tx -> target(tx, scope, appIdOrUid, endpointIdOrUid));
    int sent = 0;
    int scanned = 0;
    boolean more = true;
    AttemptSql.Cursor cursor = AttemptSql.Cursor.START;
    while (more && sent < MAX_SENT && scanned < MAX_SCANNED) {
      int want = Math.min(BATCH, MAX_SENT - sent);
      AttemptSql.Cursor from = cursor;
      Batch b =
          store.write(
              tx -> {
                List<AttemptSql.Unsent> rows =
                    sql.unsent(
                        tx, t.app().id(), t.endpoint().id(), in.since(), in.until(), from, want);
                List<String> ids = new ArrayList<>();
                int matched = 0;
                for (AttemptSql.Unsent u : rows) {
                  List<String> channels =
                      u.channels() == null ? null : json.read(u.channels(), STRING_LIST);
                  if (t.endpoint().accepts(u.eventType(), channels)) {
                    ids.addAll(start(tx, t, u.msgId(), Delivery.SCHEDULED));
                    matched++;
                  }
                }
                AttemptSql.Unsent last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
                return new Batch(
                    ids,
                    matched,
                    rows.size(),
                    last == null ? from : new AttemptSql.Cursor(last.createdAt(), last.msgId()),
                    rows.size() == want);
              });
      ledger.handOff(store, queue, b.deliveries());
      sent += b.sent();
      scanned += b.scanned();
      cursor = b.cursor();
      more = b.full();
    }
    return done("endpoint.replay", sent, more);
  }

  private TaskOut done(String task, int sent, boolean limitReached) {
    // Svix's background-task id; Herald's task is finished when it answers, so nothing keeps it.
    String id = "qtask_" + Ids.next(Ids.Prefix.MESSAGE, clock.instant()).substring(4);
    return new TaskOut(
        id,
        "finished",
        task,
        Times.iso(clock.millis()),
        Map.of("messagesSent", sent, "limitReached", limitReached));
  }

  /**
   * Svix's send-example: a new message of {@code in.eventType()} whose payload is the event type's
   * example number {@code exampleIndex} (from its schema's {@code examples}), or {@link
   * #GENERIC_EXAMPLE} when it has none, delivered to this endpoint only.
   */
  Message sendExample(
      Scope scope, String appIdOrUid, String endpointIdOrUid, RedeliveryIn.ExampleIn in) {
    record Sent(Message message, List<String> deliveries) {}
    Sent sent =
        store.write(
            tx -> {
              Target t = target(tx, scope, appIdOrUid, endpointIdOrUid);
              EventType type =
                  eventTypes
                      .find(tx, scope, in.eventType())
                      .filter(e -> !e.archived())
                      .orElseThrow(() -> new HeraldError.NotFound("Event type not found."));
              String payload = example(type, in.exampleIndex());
              Message m = messages.insertUnrouted(tx, t.app(), type.name(), payload);
              return new Sent(m, start(tx, t, m.id(), Delivery.SCHEDULED));
            });
    ledger.handOff(store, queue, sent.deliveries());
    return sent.message();
  }

  /** Example {@code index} of the schemas' {@code examples} (version "1" first), if any. */
  private String example(EventType type, int index) {
    if (type.schemas() == null) {
      return GENERIC_EXAMPLE;
    }
    JsonNode schemas = json.parse(type.schemas().getBytes(StandardCharsets.UTF_8));
    JsonNode schema = schemas.has("1") ? schemas.get("1") : first(schemas).orElse(null);
    JsonNode examples = schema == null ? null : schema.get("examples");
    if (examples == null || !examples.isArray() || examples.isEmpty()) {
      return GENERIC_EXAMPLE;
    }
    if (index >= examples.size()) {
      throw HeraldError.Invalid.of(
          List.of("body", "exampleIndex"),
          "the event type has " + examples.size() + " examples",
          "value_error");
    }
    JsonNode example = examples.get(index);
    return example.isObject() ? json.writeString(example) : GENERIC_EXAMPLE;
  }

  private static Optional<JsonNode> first(JsonNode schemas) {
    var it = schemas.elements();
    return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
  }
}
