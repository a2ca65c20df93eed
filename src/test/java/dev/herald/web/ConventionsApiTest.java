package dev.herald.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Conventions every route shares: errors, slashes, CORS, paging parameters, idempotency. */
class ConventionsApiTest {
  static TestHerald herald;

  @BeforeAll
  static void start() {
    herald = TestHerald.start();
  }

  @AfterAll
  static void stop() {
    if (herald != null) {
      herald.close();
    }
  }

  @Test
  void unknown_route_is_a_json_404() {
    TestHerald.Resp r = herald.call("GET", "/api/v1/nothing-here", null);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).contains("\"code\":\"not_found\"");
    assertThat(r.header("content-type")).startsWith("application/json");
  }

  @Test
  void trailing_slash_is_accepted() {
    assertThat(herald.call("GET", "/api/v1/app/", null).status()).isEqualTo(200);
    assertThat(herald.call("GET", "/api/v1/health/ping/", null, Map.of()).status()).isEqualTo(204);
  }

  @Test
  void cors_preflight_is_answered_for_any_origin() {
    TestHerald.Resp r =
        herald.call(
            "OPTIONS",
            "/api/v1/app",
            null,
            Map.of(
                "Origin", "https://dashboard.example",
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization,content-type"));
    assertThat(r.status()).isBetween(200, 204);
    assertThat(r.header("access-control-allow-origin")).isEqualTo("https://dashboard.example");
    TestHerald.Resp get =
        herald.call(
            "GET",
            "/api/v1/app",
            null,
            Map.of("Origin", "https://x.example", "Authorization", "Bearer " + herald.orgToken()));
    assertThat(get.header("access-control-allow-origin")).isEqualTo("https://x.example");
  }

  @Test
  void paging_parameters_are_validated_and_limit_is_capped() {
    TestHerald.Resp bad = herald.call("GET", "/api/v1/app?limit=abc", null);
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.body()).contains("[\"query\",\"limit\"]");
    assertThat(herald.call("GET", "/api/v1/app?limit=0", null).status()).isEqualTo(422);
    assertThat(herald.call("GET", "/api/v1/app?order=sideways", null).status()).isEqualTo(422);
    TestHerald.Resp capped = herald.call("GET", "/api/v1/app?limit=100000", null);
    assertThat(capped.status()).isEqualTo(200);
  }

  @Test
  void body_that_is_not_an_object_is_422_and_deep_nesting_is_400() {
    TestHerald.Resp array = herald.call("POST", "/api/v1/app", "[1,2]");
    assertThat(array.status()).isEqualTo(422);
    TestHerald.Resp deep =
        herald.call(
            "POST", "/api/v1/app", "{\"name\":" + "[".repeat(5000) + "]".repeat(5000) + "}");
    assertThat(deep.status()).isEqualTo(400);
    assertThat(deep.body()).contains("invalid_json");
    TestHerald.Resp empty = herald.call("POST", "/api/v1/app", "");
    assertThat(empty.status()).isEqualTo(400);
  }

  @Test
  void chunked_body_past_the_limit_is_413_without_a_length() throws Exception {
    byte[] big = ("{\"name\":\"" + "y".repeat(2_000_000) + "\"}").getBytes();
    java.net.http.HttpRequest req =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(herald.baseUrl() + "/api/v1/app"))
            .header("Authorization", "Bearer " + herald.orgToken())
            .header("Content-Type", "application/json")
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(big)))
            .build();
    int before = appCount();
    int status;
    try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
      status = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (java.io.IOException e) {
      // The server may close the connection while the client still writes; that is a refusal.
      status = 413;
    }
    assertThat(status).isEqualTo(413);
    assertThat(appCount()).isEqualTo(before);
  }

  static int appCount() {
    String body = herald.call("GET", "/api/v1/app?limit=250", null).body();
    return body.split("\"id\":").length - 1;
  }

  @Test
  void concurrent_requests_with_one_idempotency_key_create_one_app() throws Exception {
    String key = "race-" + System.nanoTime();
    Map<String, String> headers =
        Map.of("Authorization", "Bearer " + herald.orgToken(), "idempotency-key", key);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<TestHerald.Resp>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Callable<TestHerald.Resp> call =
            () -> herald.call("POST", "/api/v1/app", "{\"name\":\"race\"}", headers);
        futures.add(pool.submit(call));
      }
      Set<String> bodies = new HashSet<>();
      for (Future<TestHerald.Resp> f : futures) {
        TestHerald.Resp r = f.get();
        assertThat(r.status()).isEqualTo(201);
        bodies.add(r.body());
      }
      assertThat(bodies).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void idempotency_key_is_scoped_to_the_path() {
    String key = "scoped-" + System.nanoTime();
    Map<String, String> headers =
        Map.of("Authorization", "Bearer " + herald.orgToken(), "idempotency-key", key);
    TestHerald.Resp a = herald.call("POST", "/api/v1/app", "{\"name\":\"a\"}", headers);
    TestHerald.Resp b =
        herald.call("POST", "/api/v1/auth/app-portal-access/nonexistent-uid", "{}", headers);
    assertThat(a.status()).isEqualTo(201);
    assertThat(b.status()).isEqualTo(404);
  }
}
