package dev.herald.opwebhook;

import dev.herald.app.App;
import dev.herald.app.AppService;
import dev.herald.core.HeraldError;
import dev.herald.core.Scope;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointIn;
import dev.herald.endpoint.EndpointService;
import dev.herald.endpoint.Headers;
import dev.herald.endpoint.RotateIn;
import dev.herald.store.Store;
import dev.herald.store.Tx;
import dev.herald.web.ListResponse;
import dev.herald.web.Page;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operational-webhook endpoints of an organisation: the endpoints of its internal application,
 * managed with the endpoint feature's own rules (URL, uid, secret, headers, rotation). The internal
 * application is created with the first endpoint. Changes here report no events.
 */
public final class OperationalWebhookService {
  private final Store store;
  private final AppService apps;
  private final EndpointService endpoints;

  /** {@code endpoints} must report nothing: these endpoints are the listeners, not the news. */
  public OperationalWebhookService(Store store, AppService apps, EndpointService endpoints) {
    this.store = store;
    this.apps = apps;
    this.endpoints = endpoints;
  }

  /** The internal application's id; 404 (as an endpoint) when the organisation has none yet. */
  private String sink(Tx tx, Scope scope) throws SQLException {
    return apps.internal(tx, scope.orgId())
        .map(App::id)
        .orElseThrow(() -> new HeraldError.NotFound("Endpoint not found."));
  }

  /** Runs {@code work} on the internal application, creating it first if needed. */
  private <T> T onSink(Scope scope, SinkWork<T> work) {
    Store.Work<T> run = tx -> work.run(tx, apps.internalOrCreate(tx, scope.orgId()).id());
    try {
      return store.write(run);
    } catch (HeraldError.Conflict raced) {
      // Another request created the internal application at the same moment: use that one.
      if (store.read(tx -> apps.internal(tx, scope.orgId())).isEmpty()) {
        throw raced;
      }
      return store.write(run);
    }
  }

  @FunctionalInterface
  private interface SinkWork<T> {
    T run(Tx tx, String appId) throws SQLException;
  }

  /** Operational events carry no channels: an operational endpoint listens to none. */
  private static EndpointIn withoutChannels(EndpointIn in) {
    return new EndpointIn(
        in.url(),
        in.uid(),
        in.description(),
        in.disabled(),
        in.filterTypes(),
        null,
        in.metadata(),
        in.rateLimit(),
        1,
        in.secret(),
        in.headers());
  }

  ListResponse<OperationalEndpointOut> list(Scope scope, Page page) {
    return store.read(
        tx -> {
          Optional<App> sink = apps.internal(tx, scope.orgId());
          if (sink.isEmpty()) {
            return page.respond(List.<OperationalEndpointOut>of(), OperationalEndpointOut::id);
          }
          return Page.map(endpoints.list(tx, sink.get().id(), page), OperationalEndpointOut::of);
        });
  }

  Endpoint get(Scope scope, String idOrUid) {
    return store.read(tx -> endpoints.get(tx, sink(tx, scope), idOrUid));
  }

  Endpoint create(Scope scope, EndpointIn in) {
    return onSink(scope, (tx, appId) -> endpoints.create(tx, appId, withoutChannels(in)));
  }

  Endpoint upsert(Scope scope, String idOrUid, EndpointIn in) {
    return onSink(
        scope, (tx, appId) -> endpoints.upsert(tx, appId, idOrUid, withoutChannels(in)).endpoint());
  }

  void delete(Scope scope, String idOrUid) {
    store.write(tx -> endpoints.delete(tx, sink(tx, scope), idOrUid));
  }

  Headers.Out headers(Scope scope, String idOrUid) {
    return Headers.redacted(get(scope, idOrUid).headers());
  }

  void writeHeaders(Scope scope, String idOrUid, Map<String, String> headers) {
    store.write(
        tx -> {
          endpoints.writeHeaders(tx, sink(tx, scope), idOrUid, headers, true);
          return null;
        });
  }

  String secret(Scope scope, String idOrUid) {
    return get(scope, idOrUid).shownSecret();
  }

  void rotate(Scope scope, String idOrUid, RotateIn in) {
    store.write(
        tx -> {
          endpoints.rotate(tx, sink(tx, scope), idOrUid, in.key(), in.grace());
          return null;
        });
  }
}
