package dev.herald.opwebhook;

import dev.herald.app.App;
import dev.herald.app.AppService;
import dev.herald.core.Times;
import dev.herald.delivery.Attempt;
import dev.herald.delivery.Delivery;
import dev.herald.delivery.DeliveryEvents;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointEvents;
import dev.herald.endpoint.EndpointService;
import dev.herald.message.Message;
import dev.herald.message.MessageService;
import dev.herald.store.Tx;
import dev.herald.web.Json;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Turns endpoint changes and delivery outcomes into operational webhooks: each event is a message
 * of the organisation's internal application, with the event type as {@code eventType} (so an
 * operational endpoint's {@code filterTypes} chooses its events), written in the caller's
 * transaction and fanned out like any message.
 *
 * <p>No event is written about the internal application's own endpoints or deliveries (events never
 * beget events), nor when the organisation has no operational endpoint that takes it. Stateless;
 * thread-safe.
 */
public final class OperationalEvents implements EndpointEvents, DeliveryEvents {
  private final AppService apps;
  private final EndpointService endpoints;
  private final MessageService messages;
  private final Json json;

  /** {@code endpoints} is used only to read endpoints by id; any instance will do. */
  public OperationalEvents(
      AppService apps, EndpointService endpoints, MessageService messages, Json json) {
    this.apps = apps;
    this.endpoints = endpoints;
    this.messages = messages;
    this.json = json;
  }

  // ---- endpoint changes

  @Override
  public List<String> changed(Tx tx, Endpoint e, Change change) throws SQLException {
    String type =
        switch (change) {
          case CREATED -> Events.ENDPOINT_CREATED;
          case UPDATED -> Events.ENDPOINT_UPDATED;
          case DELETED -> Events.ENDPOINT_DELETED;
        };
    return publish(
        tx, e.appId(), type, app -> new Events.EndpointData(app.id(), app.uid(), e.id(), e.uid()));
  }

  @Override
  public List<String> disabled(Tx tx, Endpoint e) throws SQLException {
    Optional<Long> since = endpoints.failingSince(tx, e.id());
    return publish(
        tx,
        e.appId(),
        Events.ENDPOINT_DISABLED,
        app ->
            new Events.DisabledData(
                app.id(),
                app.uid(),
                e.id(),
                e.uid(),
                since.map(Times::iso).orElse(null),
                Events.MANUAL));
  }

  @Override
  public void handOff(List<String> deliveryIds) {
    messages.handOff(deliveryIds);
  }

  // ---- delivery outcomes

  @Override
  public List<String> endpointDisabled(Tx tx, String endpointId, long failSince)
      throws SQLException {
    Optional<Endpoint> e = endpoints.find(tx, endpointId);
    if (e.isEmpty()) {
      return List.of();
    }
    return publish(
        tx,
        e.get().appId(),
        Events.ENDPOINT_DISABLED,
        app ->
            new Events.DisabledData(
                app.id(),
                app.uid(),
                endpointId,
                e.get().uid(),
                Times.iso(failSince),
                Events.AUTOMATIC));
  }

  @Override
  public List<String> failing(Tx tx, Delivery d, Attempt last) throws SQLException {
    return attempt(tx, Events.ATTEMPT_FAILING, d, last);
  }

  @Override
  public List<String> exhausted(Tx tx, Delivery d, Attempt last) throws SQLException {
    return attempt(tx, Events.ATTEMPT_EXHAUSTED, d, last);
  }

  @Override
  public List<String> recovered(Tx tx, Delivery d, Attempt last) throws SQLException {
    return attempt(tx, Events.ATTEMPT_RECOVERED, d, last);
  }

  private List<String> attempt(Tx tx, String type, Delivery d, Attempt last) throws SQLException {
    String eventId = messages.byId(tx, d.msgId()).map(Message::eventId).orElse(null);
    Events.LastAttempt lastAttempt =
        new Events.LastAttempt(last.id(), last.responseStatusCode(), Times.iso(last.createdAt()));
    return publish(
        tx,
        d.appId(),
        type,
        app ->
            new Events.AttemptData(
                app.id(), app.uid(), d.msgId(), eventId, d.endpointId(), lastAttempt));
  }

  /** Builds the event data from the application the event is about. */
  private interface Data {
    Object of(App app);
  }

  /**
   * Writes event {@code type} about application {@code appId} into its organisation's internal
   * application; returns the deliveries (none when there is nobody to tell).
   */
  private List<String> publish(Tx tx, String appId, String type, Data data) throws SQLException {
    Optional<App> app = apps.byId(tx, appId);
    if (app.isEmpty() || app.get().internal()) {
      return List.of();
    }
    Optional<App> sink = apps.internal(tx, app.get().orgId());
    if (sink.isEmpty()) {
      return List.of();
    }
    String payload = json.writeString(new Events.Event(type, data.of(app.get())));
    return messages.publish(tx, sink.get(), type, payload);
  }
}
