package dev.herald.ops;

import dev.herald.store.Store;
import dev.herald.web.Access;
import dev.herald.web.Api;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Health. {@code GET/HEAD /api/v1/health} answers 204 when the database answers and 503 when it
 * does not (the Svix SDK's {@code health.get()} accepts only 204). The detailed report, per
 * component, is {@code GET /api/v1/health/detail}. {@code /api/v1/health/ping} only says the
 * process serves.
 */
public final class HealthRoutes {
  private final Api api;
  private final Store store;

  public HealthRoutes(Api api, Store store) {
    this.api = api;
    this.store = store;
  }

  record Component(String status) {}

  public void register() {
    for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.HEAD}) {
      api.route(method, "/api/v1/health", Access.PUBLIC, this::health);
      api.route(method, "/api/v1/health/ping", Access.PUBLIC, api::noContent);
    }
    api.get("/api/v1/health/detail", Access.PUBLIC, this::detail);
  }

  private Map<String, Component> report() {
    Map<String, Component> out = new LinkedHashMap<>();
    out.put("database", new Component(store.ping() ? "OK" : "ERROR"));
    out.put("queue", new Component("OK"));
    out.put("cache", new Component("OK"));
    return out;
  }

  private void health(Context ctx) {
    Map<String, Component> report = report();
    if (report.values().stream().allMatch(c -> c.status().equals("OK"))) {
      api.noContent(ctx);
    } else {
      api.respond(ctx, 503, report);
    }
  }

  private void detail(Context ctx) {
    Map<String, Component> report = report();
    boolean ok = report.values().stream().allMatch(c -> c.status().equals("OK"));
    api.respond(ctx, ok ? 200 : 503, report);
  }
}
