package dev.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.api.Health;
import dev.herald.testing.TestHerald;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthApiTest {
  @Test
  void health_is_204_for_the_sdk_and_detail_reports_each_component() throws Exception {
    try (TestHerald herald = TestHerald.start()) {
      new Health(herald.svix().getHttpClient()).get();
      assertThat(herald.call("HEAD", "/api/v1/health", null, Map.of()).status()).isEqualTo(204);
      assertThat(herald.call("GET", "/api/v1/health/ping", null, Map.of()).status()).isEqualTo(204);
      TestHerald.Resp detail = herald.call("GET", "/api/v1/health/detail", null, Map.of());
      assertThat(detail.status()).isEqualTo(200);
      assertThat(detail.body())
          .isEqualTo(
              "{\"database\":{\"status\":\"OK\"},\"queue\":{\"status\":\"OK\"},"
                  + "\"cache\":{\"status\":\"OK\"}}");
    }
  }

  @Test
  void unreachable_redis_makes_health_503_with_the_failing_component() {
    // Port 1 on loopback: nothing listens there, so the probe fails fast.
    try (TestHerald herald =
        TestHerald.start(
            Map.of("HERALD_CACHE_TYPE", "redis", "HERALD_REDIS_DSN", "redis://127.0.0.1:1"))) {
      TestHerald.Resp health = herald.call("GET", "/api/v1/health", null, Map.of());
      assertThat(health.status()).isEqualTo(503);
      assertThat(health.body()).contains("\"cache\":{\"status\":\"ERROR\"}");
      assertThat(health.body()).contains("\"database\":{\"status\":\"OK\"}");
    }
  }

  @Test
  void reachable_redis_is_reported_ok() {
    TestHerald.assumeRedis();
    try (TestHerald herald =
        TestHerald.start(
            Map.of("HERALD_CACHE_TYPE", "redis", "HERALD_REDIS_DSN", "redis://127.0.0.1:6379"))) {
      TestHerald.Resp detail = herald.call("GET", "/api/v1/health/detail", null, Map.of());
      assertThat(detail.status()).isEqualTo(200);
      assertThat(detail.body()).contains("\"cache\":{\"status\":\"OK\"}");
    }
  }
}
