package dev.herald.ops;

import dev.herald.web.Access;
import dev.herald.web.Api;
import io.javalin.http.Context;

/**
 * {@code GET /metrics}: every meter of this Herald in the Prometheus text format, for any caller
 * (like Svix's health, it needs no token; bind Herald to a private address or filter the path in
 * front of it when that is too open). Registering it also meters every HTTP request ({@link
 * HttpMetrics}).
 */
public final class MetricsRoutes {
  private final Api api;
  private final Telemetry telemetry;

  public MetricsRoutes(Api api, Telemetry telemetry) {
    this.api = api;
    this.telemetry = telemetry;
  }

  public void register() {
    HttpMetrics http = new HttpMetrics(telemetry.registry());
    api.aroundEveryRequest(http::before, http::after);
    api.get("/metrics", Access.PUBLIC, this::scrape);
  }

  private void scrape(Context ctx) {
    ctx.status(200).contentType(Telemetry.CONTENT_TYPE).result(telemetry.scrape());
  }
}
