package dev.herald.ops;

import dev.herald.config.HeraldConfig;
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
  private final RedisProbe queueRedis;
  private final RedisProbe cacheRedis;

  public HealthRoutes(Api api, Store store, HeraldConfig cfg) {
    this.api = api;
    this.store = store;
    this.queueRedis =
        cfg.queue().type() == HeraldConfig.QueueType.REDIS
            ? new RedisProbe(cfg.queue().redisDsn())
            : null;
    this.cacheRedis =
        cfg.cache().type() == HeraldConfig.CacheType.REDIS
            ? new RedisProbe(cfg.cache().redisDsn())
            : null;
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
    // In-memory queue and cache live in this process: they are up when it answers.
    out.put("queue", new Component(queueRedis == null || queueRedis.ping() ? "OK" : "ERROR"));
    out.put("cache", new Component(cacheRedis == null || cacheRedis.ping() ? "OK" : "ERROR"));
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
