package dev.herald.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Overload is answered with 503/429 and Retry-After; nothing queues without end. */
class AdmissionApiTest {

  /** Opens a POST that declares {@code length} body bytes and sends only {@code sent}. */
  static Socket partialPost(TestHerald herald, String path, int length, int sent)
      throws IOException {
    Socket s = new Socket("127.0.0.1", herald.herald().port());
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    out.write(
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + herald.orgToken()
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write("x".repeat(sent).getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  static String readStatusLine(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      sb.append((char) c);
    }
    return sb.toString().strip();
  }

  static void awaitInFlight(TestHerald herald, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (herald.herald().admission().inFlightRequests() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(herald.herald().admission().inFlightRequests()).isGreaterThanOrEqualTo(n);
  }

  @Test
  void requests_past_the_concurrency_bound_get_503_and_health_still_answers() throws Exception {
    try (TestHerald herald = TestHerald.start(Map.of("HERALD_MAX_CONCURRENT_REQUESTS", "2"))) {
      List<Socket> held = new ArrayList<>();
      try {
        held.add(partialPost(herald, "/api/v1/app", 100, 10));
        held.add(partialPost(herald, "/api/v1/app", 100, 10));
        awaitInFlight(herald, 2);
        TestHerald.Resp refused = herald.call("GET", "/api/v1/app", null);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("retry-after")).isEqualTo("1");
        assertThat(refused.body()).contains("\"code\":\"overloaded\"");
        assertThat(herald.call("GET", "/api/v1/health", null, Map.of()).status()).isEqualTo(204);
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
      // The held slots come back once those requests end.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int status = 0;
      while (System.nanoTime() < deadline
          && (status = herald.call("GET", "/api/v1/app", null).status()) != 200) {
        Thread.sleep(50);
      }
      assertThat(status).isEqualTo(200);
      assertThat(herald.herald().admission().refused(Admission.Reason.CONCURRENCY))
          .isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void bodies_past_the_in_flight_byte_budget_get_503() throws Exception {
    try (TestHerald herald =
        TestHerald.start(
            Map.of(
                "HERALD_MAX_REQUEST_BODY_BYTES", "4096",
                "HERALD_MAX_IN_FLIGHT_BODY_BYTES", "6000"))) {
      try (Socket held = partialPost(herald, "/api/v1/app", 4000, 10)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (herald.herald().admission().inFlightBodyBytes() < 4000
            && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        String body = "{\"name\":\"" + "y".repeat(3000) + "\"}";
        TestHerald.Resp refused = herald.call("POST", "/api/v1/app", body);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("retry-after")).isNotNull();
        // A small body still fits beside the held one.
        assertThat(herald.call("POST", "/api/v1/app", "{\"name\":\"small\"}").status())
            .isEqualTo(201);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (herald.herald().admission().inFlightBodyBytes() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(herald.herald().admission().inFlightBodyBytes()).isZero();
    }
  }

  @Test
  void a_body_slower_than_the_read_timeout_gets_408() throws Exception {
    try (TestHerald herald = TestHerald.start(Map.of("HERALD_BODY_READ_TIMEOUT_MS", "500"))) {
      try (Socket s = partialPost(herald, "/api/v1/app", 50, 1)) {
        OutputStream out = s.getOutputStream();
        String status = null;
        for (int i = 0; i < 40 && status == null; i++) {
          Thread.sleep(100);
          try {
            out.write('x');
            out.flush();
          } catch (IOException closed) {
            break;
          }
          if (s.getInputStream().available() > 0) {
            status = readStatusLine(s);
          }
        }
        if (status == null) {
          status = readStatusLine(s);
        }
        assertThat(status).startsWith("HTTP/1.1 408");
      }
    }
  }

  @Test
  void callers_past_the_rate_limit_get_429_with_retry_after() throws Exception {
    try (TestHerald herald = TestHerald.start(Map.of("HERALD_API_RATE_LIMIT", "5"))) {
      int ok = 0;
      TestHerald.Resp limited = null;
      for (int i = 0; i < 30; i++) {
        TestHerald.Resp r = herald.call("GET", "/api/v1/app", null);
        if (r.status() == 200) {
          ok++;
        } else {
          limited = r;
        }
      }
      assertThat(ok).isBetween(5, 29);
      assertThat(limited).isNotNull();
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.header("retry-after")).isNotNull();
      assertThat(limited.body()).contains("\"code\":\"rate_limited\"");
      // Another caller has a bucket of its own.
      String other = herald.herald().tokens().orgToken("org_2Zk3Hc9gQ0zT6m2v1eYl6pXvUoA");
      assertThat(
              herald
                  .call("GET", "/api/v1/app", null, Map.of("Authorization", "Bearer " + other))
                  .status())
          .isEqualTo(200);
    }
  }

  @Test
  void oversized_headers_get_431() {
    try (TestHerald herald = TestHerald.start()) {
      TestHerald.Resp r =
          herald.call(
              "GET",
              "/api/v1/app",
              null,
              Map.of("Authorization", "Bearer " + herald.orgToken(), "X-Big", "z".repeat(9000)));
      assertThat(r.status()).isEqualTo(431);
    }
  }
}
