package dev.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.MessageIn;
import dev.herald.config.HeraldConfig;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class MetricsApiTest {
  @Test
  void metrics_are_prometheus_text_served_without_a_token() {
    try (TestHerald herald = TestHerald.start()) {
      TestHerald.Resp r = herald.call("GET", "/metrics", null, Map.of());

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
      assertThat(value(r.body(), "herald_info{version=\"dev\"}")).hasValue(1);
      assertThat(r.body()).contains("# TYPE herald_http_requests_in_flight gauge\n");
    }
  }

  @Test
  void jvm_heap_non_heap_buffers_threads_classes_cpu_and_uptime_are_exposed() {
    try (TestHerald herald = TestHerald.start()) {
      String body = herald.call("GET", "/metrics", null, Map.of()).body();

      assertThat(sum(body, "jvm_memory_used_bytes{area=\"heap\"")).isPositive();
      assertThat(sum(body, "jvm_memory_used_bytes{area=\"nonheap\"")).isPositive();
      assertThat(sum(body, "jvm_memory_committed_bytes{area=\"heap\"")).isPositive();
      assertThat(body).contains("jvm_buffer_memory_used_bytes{id=\"direct\"}");
      assertThat(body).contains("jvm_buffer_memory_used_bytes{id=\"mapped\"}");
      assertThat(value(body, "jvm_threads_live_threads").orElseThrow()).isGreaterThan(1);
      assertThat(value(body, "jvm_classes_loaded_classes").orElseThrow()).isGreaterThan(1000);
      assertThat(value(body, "system_cpu_count").orElseThrow())
          .isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(value(body, "process_uptime_seconds").orElseThrow()).isPositive();
      assertThat(body).contains("jvm_gc_memory_allocated_bytes_total");
    }
  }

  @Test
  void each_store_reports_how_it_shares_writes() throws Exception {
    try (TestHerald herald = TestHerald.start();
        TestReceiver receiver = new TestReceiver()) {
      Svix svix = herald.svix();
      String app = svix.getApplication().create(new ApplicationIn().name("metrics")).getId();
      svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/m"))));
      svix.getMessage().create(app, new MessageIn().eventType("a.b").payload("{\"k\":1}"));
      boolean postgres =
          herald.herald().config().store().type() == HeraldConfig.StoreType.POSTGRESQL;
      String accepts = "herald_store_batched_items_total{kind=\"accept\"}";
      String records = "herald_store_batched_items_total{kind=\"record\"}";
      String units = "herald_store_write_units_total";
      // The attempt's record follows the delivery: wait until it is counted.
      awaitWrites(herald, postgres ? records : units, postgres ? 1 : 2);
      // Meters whose object only the registry would hold keep counting after a collection.
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      svix.getMessage().create(app, new MessageIn().eventType("a.b").payload("{\"k\":2}"));
      awaitWrites(herald, postgres ? records : units, postgres ? 2 : 4);
      String body = herald.call("GET", "/metrics", null, Map.of()).body();
      assertThat(value(body, "herald_delivery_in_flight").orElseThrow()).isNotNaN();
      assertThat(value(body, "herald_delivery_oldest_due_age_seconds").orElseThrow()).isNotNaN();
      if (postgres) {
        assertThat(value(body, accepts)).hasValue(2);
        assertThat(value(body, "herald_store_batched_statements_total{kind=\"accept\"}"))
            .hasValue(2);
        assertThat(value(body, "herald_store_batched_statements_total{kind=\"record\"}"))
            .hasValue(2);
        assertThat(body).doesNotContain(units).doesNotContain("herald_store_wal");
      } else {
        assertThat(body).doesNotContain("herald_store_batched");
        assertThat(value(body, "herald_store_write_transactions_total").orElseThrow()).isPositive();
        // The log's size is read at each checkpoint (every 250 ms); it holds the writes above.
        awaitWrites(herald, "herald_store_wal_bytes", 1);
        assertThat(value(body, "herald_store_wal_catchups_total")).hasValue(0);
        assertThat(value(body, "herald_store_wal_restarts_missed_total")).hasValue(0);
      }
    }
  }

  /** Waits until the counter or gauge {@code series} reaches {@code n}. */
  private static void awaitWrites(TestHerald herald, String series, int n) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                value(herald.call("GET", "/metrics", null, Map.of()).body(), series).orElse(0)
                    >= n);
  }

  @Test
  void a_gc_pause_is_counted() {
    try (TestHerald herald = TestHerald.start()) {
      System.gc();

      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  sum(
                          herald.call("GET", "/metrics", null, Map.of()).body(),
                          "jvm_gc_pause_seconds_count{")
                      >= 1);
    }
  }

  @Test
  void resident_memory_agrees_with_proc_within_five_percent() throws Exception {
    assumeThat(Files.isReadable(ProcStatus.SELF)).as("Linux /proc").isTrue();
    try (TestHerald herald = TestHerald.start()) {
      // The test JVM's RSS moves while it runs: read /proc just before and just after the
      // scrape, and require the scraped figure within 5 % of that bracket.
      long before = ProcStatus.read(ProcStatus.SELF).get(ProcStatus.RSS).orElseThrow();
      String body = herald.call("GET", "/metrics", null, Map.of()).body();
      long after = ProcStatus.read(ProcStatus.SELF).get(ProcStatus.RSS).orElseThrow();

      double rss = value(body, "process_resident_memory_bytes").orElseThrow();
      assertThat(rss).isPositive();
      assertThat(rss)
          .as("scraped RSS %s against /proc's %s..%s", rss, before, after)
          .isBetween(Math.min(before, after) * 0.95, Math.max(before, after) * 1.05);
      assertThat(value(body, "process_resident_memory_peak_bytes").orElseThrow())
          .isGreaterThanOrEqualTo(rss);
      assertThat(value(body, "process_virtual_memory_bytes").orElseThrow()).isGreaterThan(rss);
    }
  }

  @Test
  void native_memory_gauges_appear_exactly_when_the_jvm_tracks_native_memory() {
    boolean tracked = !NativeMemory.parse(NativeMemory.diagnosticCommand()).isEmpty();
    try (TestHerald herald = TestHerald.start()) {
      String body = herald.call("GET", "/metrics", null, Map.of()).body();

      assertThat(body.contains("jvm_native_memory_committed_bytes{category=\"total\"}"))
          .isEqualTo(tracked);
      assertThat(body.contains("jvm_native_memory_reserved_bytes{category=\"java_heap\"}"))
          .isEqualTo(tracked);
    }
  }

  @Test
  void requests_are_counted_by_method_route_pattern_and_status_class() {
    try (TestHerald herald = TestHerald.start()) {
      assertThat(herald.call("POST", "/api/v1/app", "{\"name\":\"a\"}").status()).isEqualTo(201);
      assertThat(herald.call("GET", "/api/v1/app", null).status()).isEqualTo(200);
      assertThat(herald.call("GET", "/api/v1/app", null).status()).isEqualTo(200);
      assertThat(herald.call("GET", "/api/v1/app/app_missing123", null).status()).isEqualTo(404);
      assertThat(herald.call("GET", "/api/v1/app", null, Map.of()).status()).isEqualTo(401);
      assertThat(herald.call("GET", "/no/such/path/xyz", null).status()).isEqualTo(404);

      String body = herald.call("GET", "/metrics", null, Map.of()).body();

      assertThat(value(body, requests("POST", "/api/v1/app", "2xx"))).hasValue(1);
      assertThat(value(body, requests("GET", "/api/v1/app", "2xx"))).hasValue(2);
      assertThat(value(body, requests("GET", "/api/v1/app", "4xx"))).hasValue(1);
      assertThat(value(body, requests("GET", "/api/v1/app/{app_id}", "4xx"))).hasValue(1);
      assertThat(value(body, requests("GET", "unmatched", "4xx"))).hasValue(1);
      assertThat(
              value(
                  body,
                  "herald_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/app\"}"))
          .hasValue(3);
      // Raw paths never become labels.
      assertThat(body).doesNotContain("app_missing123").doesNotContain("/no/such/path");
      // The scrape itself is the one request in flight.
      assertThat(value(body, "herald_http_requests_in_flight")).hasValue(1);
    }
  }

  @Test
  void two_heralds_in_one_jvm_keep_their_own_counters() {
    try (TestHerald one = TestHerald.start();
        TestHerald two = TestHerald.start()) {
      one.call("GET", "/api/v1/app", null);

      String first = one.call("GET", "/metrics", null, Map.of()).body();
      String second = two.call("GET", "/metrics", null, Map.of()).body();

      assertThat(value(first, requests("GET", "/api/v1/app", "2xx"))).hasValue(1);
      assertThat(value(second, requests("GET", "/api/v1/app", "2xx"))).isEmpty();
    }
  }

  @Test
  void metrics_answers_only_get_and_a_refused_method_changes_no_meter() {
    try (TestHerald herald = TestHerald.start()) {
      TestHerald.Resp post = herald.call("POST", "/metrics", "{}", Map.of());

      assertThat(post.status()).isEqualTo(404);
      assertThat(post.body()).contains("\"code\":\"not_found\"", "\"detail\":\"Route not found.\"");
      String body = herald.call("GET", "/metrics", null, Map.of()).body();
      assertThat(value(body, requests("POST", "unmatched", "4xx"))).hasValue(1);
      assertThat(body).doesNotContain("route=\"/metrics\",status=\"4xx\"");
    }
  }

  static String requests(String method, String route, String status) {
    return "herald_http_requests_total{method=\""
        + method
        + "\",route=\""
        + route
        + "\",status=\""
        + status
        + "\"}";
  }

  /** The value of the sample whose name and labels are exactly {@code series}. */
  static OptionalDouble value(String exposition, String series) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(series + " ")) {
        return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).strip()));
      }
    }
    return OptionalDouble.empty();
  }

  /** The sum of the samples whose series starts with {@code prefix}. */
  static double sum(String exposition, String prefix) {
    double total = 0;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(prefix)) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }
}
