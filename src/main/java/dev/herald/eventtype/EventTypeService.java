package dev.herald.eventtype;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Optional;

/**
 * Event types: the names messages are sent with and endpoints filter on, one set per organisation.
 * Deleting archives (the row stays, hidden from lists); creating an archived name brings it back.
 */
public final class EventTypeService {
  private final Store store;
  private final Json json;
  private final Clock clock;
  private final EventTypeSql sql = new EventTypeSql();

  public EventTypeService(Store store, Json json, Clock clock) {
    this.store = store;
    this.json = json;
    this.clock = clock;
  }

  /** The result of a write: the event type, and whether this call created it. */
  record Saved(EventType eventType, boolean created) {}

  /** The event type named {@code name} in {@code scope}'s organisation, archived or not. */
  public Optional<EventType> find(Tx tx, Scope scope, String name) throws SQLException {
    return sql.byName(tx, scope.orgId(), name);
  }

  private EventType require(Tx tx, Scope scope, String name) throws SQLException {
    return find(tx, scope, name)
        .orElseThrow(() -> new HeraldError.NotFound("Event type not found."));
  }

  ListResponse<EventTypeOut> list(
      Scope scope, Page page, boolean includeArchived, boolean withContent) {
    return store.read(
        tx ->
            Page.map(
                page.respond(
                    sql.list(tx, scope.orgId(), includeArchived, withContent, page),
                    EventType::name),
                EventTypeOut::of));
  }

  EventType get(Scope scope, String name) {
    return store.read(tx -> require(tx, scope, name));
  }

  /**
   * POST: creates the event type; an archived one of that name is overwritten from {@code in} and
   * so brought back (as Svix does); a live one is a 409.
   */
  EventType create(Scope scope, EventTypeIn in) {
    return store.write(
        tx -> {
          Optional<EventType> existing = find(tx, scope, in.name());
          if (existing.isEmpty()) {
            return insert(tx, scope, in);
          }
          if (!existing.get().archived()) {
            throw new HeraldError.Conflict("An event_type with this name already exists");
          }
          return replace(tx, existing.get(), in);
        });
  }

  /** PUT: replaces the event type named {@code in.name()}, or creates it. */
  Saved upsert(Scope scope, EventTypeIn in) {
    return store.write(
        tx -> {
          Optional<EventType> existing = find(tx, scope, in.name());
          return existing.isEmpty()
              ? new Saved(insert(tx, scope, in), true)
              : new Saved(replace(tx, existing.get(), in), false);
        });
  }

  EventType patch(Scope scope, String name, EventTypeIn.PatchIn in) {
    return store.write(
        tx -> {
          EventType e = require(tx, scope, name);
          EventType updated =
              new EventType(
                  e.id(),
                  e.orgId(),
                  e.name(),
                  in.description().or(e.description()),
                  in.archived().or(e.archived()),
                  in.deprecated().or(e.deprecated()),
                  in.featureFlag().or(e.featureFlag()),
                  in.schemas().map(this::text).or(e.schemas()),
                  e.createdAt(),
                  clock.millis());
          sql.update(tx, updated);
          return updated;
        });
  }

  /** Archives the event type, or with {@code expunge} deletes it for good. */
  void delete(Scope scope, String name, boolean expunge) {
    store.write(
        tx -> {
          EventType e = require(tx, scope, name);
          if (expunge) {
            sql.expunge(tx, e.orgId(), e.id());
          } else {
            sql.update(
                tx,
                new EventType(
                    e.id(),
                    e.orgId(),
                    e.name(),
                    e.description(),
                    true,
                    e.deprecated(),
                    e.featureFlag(),
                    e.schemas(),
                    e.createdAt(),
                    clock.millis()));
          }
          return null;
        });
  }

  private EventType insert(Tx tx, Scope scope, EventTypeIn in) throws SQLException {
    long now = clock.millis();
    EventType e =
        new EventType(
            Ids.next(Ids.Prefix.EVENT_TYPE, clock.instant()),
            scope.orgId(),
            in.name(),
            in.description(),
            in.archived(),
            in.deprecated(),
            in.featureFlag(),
            text(in.schemas()),
            now,
            now);
    sql.insert(tx, e);
    return e;
  }

  private EventType replace(Tx tx, EventType e, EventTypeIn in) throws SQLException {
    EventType updated =
        new EventType(
            e.id(),
            e.orgId(),
            e.name(),
            in.description(),
            in.archived(),
            in.deprecated(),
            in.featureFlag(),
            text(in.schemas()),
            e.createdAt(),
            clock.millis());
    sql.update(tx, updated);
    return updated;
  }

  private String text(ObjectNode schemas) {
    return schemas == null ? null : json.writeString(schemas);
  }
}
