package dev.herald.message;

import dev.herald.app.App;
import dev.herald.app.AppService;
import dev.herald.core.HeraldError;
import dev.herald.core.Ids;
import dev.herald.core.Scope;
import dev.herald.store.Store;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import dev.herald.web.ListResponse;
import dev.herald.web.Page;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Messages: accepting one stores it, in one transaction with the application it may create. A 2xx
 * to create means the row is committed. Delivery is not started here yet; {@link #insert} is the
 * one place a message is written, so fan-out joins it inside the same transaction.
 */
public final class MessageService {
  private final Store store;
  private final MessageSql sql;
  private final AppService apps;
  private final Clock clock;

  public MessageService(Store store, Json json, AppService apps, Clock clock) {
    this.store = store;
    this.sql = new MessageSql(json);
    this.apps = apps;
    this.clock = clock;
  }

  Message create(Scope scope, String appIdOrUid, MessageIn in) {
    return store.write(
        tx -> insert(tx, apps.getOrCreate(tx, scope, appIdOrUid, in.application()), in));
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
