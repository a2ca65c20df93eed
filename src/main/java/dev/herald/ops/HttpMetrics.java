package dev.herald.ops;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meters the HTTP API: {@code herald_http_requests_total{method,route,status}}, {@code
 * herald_http_request_duration_seconds{method,route}} (a histogram) and {@code
 * herald_http_requests_in_flight}. {@link #before} runs ahead of every request and {@link #after}
 * once it is answered, also when the handler failed or no route matched.
 *
 * <p>Every label is bounded whatever the requests say: {@code route} is the registered pattern
 * ({@code /api/v1/app/{app_id}}), never the raw path, and {@value #UNMATCHED} when no route
 * matched; {@code method} is one of the common HTTP methods or {@code other}; {@code status} is the
 * status class ({@code 2xx} ... {@code 5xx}).
 */
final class HttpMetrics {
  /** The route label of requests that matched no route. */
  static final String UNMATCHED = "unmatched";

  /** Request attribute holding {@link System#nanoTime()} at {@link #before}. */
  private static final String STARTED = "herald.metrics.started";

  /** Histogram bucket bounds of the request duration. */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final Meter.MeterProvider<Counter> requests;
  private final Meter.MeterProvider<Timer> durations;
  private final AtomicInteger inFlight = new AtomicInteger();

  HttpMetrics(MeterRegistry registry) {
    this.requests =
        Counter.builder("herald.http.requests")
            .description("HTTP requests answered, by method, route pattern and status class")
            .withRegistry(registry);
    this.durations =
        Timer.builder("herald.http.request.duration")
            .description("Time from the start of a request to its answer, by method and route")
            .serviceLevelObjectives(BUCKETS)
            .withRegistry(registry);
    Gauge.builder("herald.http.requests.in.flight", inFlight, AtomicInteger::get)
        .description("HTTP requests being served now")
        .register(registry);
  }

  void before(Context ctx) {
    ctx.attribute(STARTED, System.nanoTime());
    inFlight.incrementAndGet();
  }

  void after(Context ctx) {
    Long started = ctx.attribute(STARTED);
    if (started == null) {
      return; // a failure ahead of before(): nothing was counted in, so count nothing out
    }
    inFlight.decrementAndGet();
    String method = method(ctx.method());
    String route = route(ctx.endpoints().matchedHttpEndpoint());
    requests
        .withTags("method", method, "route", route, "status", statusClass(ctx.statusCode()))
        .increment();
    durations
        .withTags("method", method, "route", route)
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }

  /** Javalin builds this list anew on each call, so it is read once. */
  private static final Set<HandlerType> COMMON = Set.copyOf(HandlerType.commonHttp());

  private static String method(HandlerType type) {
    return COMMON.contains(type) ? type.name() : "other";
  }

  private static String route(Endpoint matched) {
    return matched == null ? UNMATCHED : matched.path;
  }

  static String statusClass(int status) {
    return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
  }
}
