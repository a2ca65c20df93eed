package dev.herald.attempt;

import dev.herald.app.App;
import dev.herald.app.AppService;
import dev.herald.core.HeraldError;
import dev.herald.core.Scope;
import dev.herald.delivery.Attempt;
import dev.herald.delivery.Status;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointService;
import dev.herald.message.Message;
import dev.herald.message.MessageOut;
import dev.herald.message.MessageService;
import dev.herald.store.Store;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import dev.herald.web.ListResponse;
import dev.herald.web.Page;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The attempt log, read side: attempts by endpoint and by message, the messages attempted to an
 * endpoint and the endpoints a message was attempted to (each by its latest delivery), one attempt,
 * expunging an attempt's response, and an endpoint's counts. Every call resolves the application
 * first, so an app token sees its own app only.
 */
public final class AttemptService {
  private final Store store;
  private final AttemptSql sql;
  private final AppService apps;
  private final EndpointService endpoints;
  private final MessageService messages;

  public AttemptService(
      Store store, Json json, AppService apps, EndpointService endpoints, MessageService messages) {
    this.store = store;
    this.sql = new AttemptSql(json);
    this.apps = apps;
    this.endpoints = endpoints;
    this.messages = messages;
  }

  static Endpoint endpoint(EndpointService endpoints, Tx tx, App app, String idOrUid)
      throws SQLException {
    return endpoints
        .find(tx, app.id(), idOrUid)
        .orElseThrow(() -> new HeraldError.NotFound("Endpoint not found."));
  }

  ListResponse<AttemptOut> byEndpoint(
      Scope scope,
      String appIdOrUid,
      String endpointIdOrUid,
      AttemptQuery q,
      Page page,
      boolean withContent,
      boolean withMsg) {
    return store.read(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          Endpoint e = endpoint(endpoints, tx, app, endpointIdOrUid);
          List<Attempt> rows =
              sql.attempts(
                  tx, app.id(), "a.endp_id", e.id(), null, q, page, attemptCursor(tx, app, page));
          return attempts(tx, page.respond(rows, Attempt::id), withContent, withMsg);
        });
  }

  ListResponse<AttemptOut> byMessage(
      Scope scope,
      String appIdOrUid,
      String msgIdOrEventId,
      AttemptQuery q,
      Page page,
      boolean withContent) {
    return store.read(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          Message m = messages.find(tx, app, msgIdOrEventId);
          String endpointId =
              q.endpointId() == null ? null : endpoint(endpoints, tx, app, q.endpointId()).id();
          List<Attempt> rows =
              sql.attempts(
                  tx,
                  app.id(),
                  "a.msg_id",
                  m.id(),
                  endpointId,
                  q,
                  page,
                  attemptCursor(tx, app, page));
          return attempts(tx, page.respond(rows, Attempt::id), withContent, false);
        });
  }

  private Long attemptCursor(Tx tx, App app, Page page) throws SQLException {
    if (page.iterator() == null) {
      return null;
    }
    return sql.attemptTime(tx, app.id(), strip(page.iterator()))
        .orElseThrow(
            () -> Page.query("iterator", "iterator names no attempt of this app", "value_error"));
  }

  private static String strip(String iterator) {
    return iterator.startsWith("-") ? iterator.substring(1) : iterator;
  }

  /** Maps a page of attempts; with {@code withMsg}, each carries its message (no payload). */
  private ListResponse<AttemptOut> attempts(
      Tx tx, ListResponse<Attempt> page, boolean withContent, boolean withMsg) throws SQLException {
    Map<String, MessageOut> msgs = new HashMap<>();
    if (withMsg) {
      for (Attempt a : page.data()) {
        if (!msgs.containsKey(a.msgId())) {
          msgs.put(
              a.msgId(),
              messages.byId(tx, a.msgId()).map(m -> MessageOut.of(m, false)).orElse(null));
        }
      }
    }
    return Page.map(page, a -> AttemptOut.of(a, withContent, msgs.get(a.msgId())));
  }

  ListResponse<AttemptedMessageOut> attemptedMessages(
      Scope scope,
      String appIdOrUid,
      String endpointIdOrUid,
      AttemptQuery q,
      Page page,
      boolean withContent) {
    return store.read(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          Endpoint e = endpoint(endpoints, tx, app, endpointIdOrUid);
          Long cursor = null;
          if (page.iterator() != null) {
            cursor =
                messages
                    .byId(tx, strip(page.iterator()))
                    .filter(m -> m.appId().equals(app.id()))
                    .map(Message::createdAt)
                    .orElseThrow(
                        () ->
                            Page.query(
                                "iterator",
                                "iterator names no message of this app",
                                "value_error"));
          }
          List<AttemptSql.Latest> rows =
              sql.attemptedMessages(tx, app.id(), e.id(), q, page, cursor);
          ListResponse<AttemptSql.Latest> p = page.respond(rows, AttemptSql.Latest::msgId);
          Map<String, Message> msgs = new HashMap<>();
          for (AttemptSql.Latest d : p.data()) {
            messages.byId(tx, d.msgId()).ifPresent(m -> msgs.put(m.id(), m));
          }
          return Page.map(p, d -> AttemptedMessageOut.of(msgs.get(d.msgId()), d, withContent));
        });
  }

  ListResponse<DestinationOut> destinations(
      Scope scope, String appIdOrUid, String msgIdOrEventId, Page page) {
    return store.read(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          Message m = messages.find(tx, app, msgIdOrEventId);
          ListResponse<AttemptSql.Latest> p =
              page.respond(
                  sql.destinations(tx, app.id(), m.id(), page), AttemptSql.Latest::endpointId);
          Map<String, Endpoint> eps = new HashMap<>();
          for (AttemptSql.Latest d : p.data()) {
            endpoints.find(tx, d.endpointId()).ifPresent(e -> eps.put(e.id(), e));
          }
          return Page.map(p, d -> DestinationOut.of(eps.get(d.endpointId()), d));
        });
  }

  AttemptOut get(Scope scope, String appIdOrUid, String msgIdOrEventId, String attemptId) {
    return store.read(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          Message m = messages.find(tx, app, msgIdOrEventId);
          Attempt a =
              sql.attempt(tx, app.id(), m.id(), attemptId)
                  .orElseThrow(() -> new HeraldError.NotFound("Message attempt not found."));
          return AttemptOut.of(a, true, null);
        });
  }

  /** Svix's expunge: the attempt's response body is dropped for good. */
  void expunge(Scope scope, String appIdOrUid, String msgIdOrEventId, String attemptId) {
    store.write(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          Message m = messages.find(tx, app, msgIdOrEventId);
          if (sql.expunge(tx, app.id(), m.id(), attemptId) == 0) {
            throw new HeraldError.NotFound("Message attempt not found.");
          }
          return null;
        });
  }

  StatsOut stats(Scope scope, String appIdOrUid, String endpointIdOrUid, Long since, Long until) {
    return store.read(
        tx -> {
          App app = apps.resolve(tx, scope, appIdOrUid);
          Endpoint e = endpoint(endpoints, tx, app, endpointIdOrUid);
          Map<Status, Long> n = sql.stats(tx, app.id(), e.id(), since, until);
          return new StatsOut(
              n.getOrDefault(Status.SUCCESS, 0L),
              n.getOrDefault(Status.PENDING, 0L),
              n.getOrDefault(Status.SENDING, 0L),
              n.getOrDefault(Status.FAIL, 0L),
              0L);
        });
  }
}
