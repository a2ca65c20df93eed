package dev.herald.dispatch;

import static dev.herald.dispatch.LoopbackReceiver.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SenderTest {
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String MSG = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final List<String> LOOPBACK = List.of("127.0.0.0/8");
  static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private final List<AutoCloseable> closeAfter = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeAfter.reversed()) {
      c.close();
    }
  }

  private Sender sender(List<String> whitelist, Duration total) {
    Sender.Settings settings =
        Sender.Settings.defaults().withTimeouts(Duration.ofSeconds(5), total);
    Sender sender = new Sender(new SsrfGuard(whitelist), settings, Clock.systemUTC());
    closeAfter.add(sender);
    return sender;
  }

  private Sender sender() {
    return sender(LOOPBACK, Duration.ofSeconds(5));
  }

  private LoopbackReceiver receiver(LoopbackReceiver.Handler handler) throws IOException {
    LoopbackReceiver r = new LoopbackReceiver(handler);
    closeAfter.add(r);
    return r;
  }

  @Test
  void posts_the_exact_bytes_and_headers_and_captures_a_2xx_answer() throws Exception {
    LoopbackReceiver receiver = receiver(ex -> respond(ex, 200, "ok ✓ thanks".getBytes(UTF8)));
    byte[] body = "{\"a\": 1,   \"é\": \"ü\"\n}".getBytes(UTF8);
    long ts = Instant.now().getEpochSecond();
    String signature = Signer.signatureHeader(List.of(SECRET), MSG, ts, body);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-custom", "custom value");
    headers.put("svix-id", MSG);
    headers.put("svix-timestamp", Long.toString(ts));
    headers.put("svix-signature", signature);
    headers.put("webhook-id", MSG);
    headers.put("webhook-timestamp", Long.toString(ts));
    headers.put("webhook-signature", signature);

    Result result = sender().send(receiver.url("/hook?x=1"), headers, body);

    assertThat(result).isInstanceOf(Result.Responded.class);
    Result.Responded r = (Result.Responded) result;
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok ✓ thanks");
    assertThat(r.retryAfter()).isNull();
    assertThat(result.success()).isTrue();
    assertThat(result.throttled()).isFalse();
    assertThat(receiver.requests).hasSize(1);
    LoopbackReceiver.Recorded got = receiver.requests.getFirst();
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.path()).isEqualTo("/hook?x=1");
    assertThat(got.body()).isEqualTo(body);
    assertThat(got.header("content-type")).isEqualTo("application/json");
    assertThat(got.headers().get("user-agent")).containsExactly(Sender.defaultUserAgent());
    assertThat(Sender.defaultUserAgent()).startsWith("Herald-Webhooks/");
    assertThat(got.header("x-custom")).isEqualTo("custom value");
    assertThat(got.headers()).doesNotContainKey("cookie").doesNotContainKey("accept-encoding");
    String text = new String(got.body(), UTF8);
    new com.standardwebhooks.Webhook(SECRET)
        .verify(text, java.net.http.HttpHeaders.of(got.headers(), (a, b) -> true));
    new com.svix.Webhook(SECRET).verify(text, got.headers());
  }

  @Test
  void a_500_is_a_failure_that_keeps_its_status_and_body() throws Exception {
    LoopbackReceiver receiver = receiver(ex -> respond(ex, 500, "boom".getBytes(UTF8)));

    Result result = sender().send(receiver.url("/"), Map.of(), "{}".getBytes(UTF8));

    assertThat(result).isEqualTo(new Result.Responded(500, "boom", result.took(), null));
    assertThat(result.success()).isFalse();
    assertThat(result.throttled()).isFalse();
  }

  @Test
  void a_redirect_is_not_followed_and_is_a_failure() throws Exception {
    AtomicInteger redirected = new AtomicInteger();
    LoopbackReceiver receiver =
        receiver(
            ex -> {
              if (ex.getRequestURI().getPath().equals("/moved")) {
                redirected.incrementAndGet();
                respond(ex, 200, "ok".getBytes(UTF8));
              } else {
                ex.getResponseHeaders().add("location", "/moved");
                respond(ex, 302, new byte[0]);
              }
            });

    Result result = sender().send(receiver.url("/"), Map.of(), "{}".getBytes(UTF8));

    assertThat(result).isInstanceOf(Result.Responded.class);
    assertThat(((Result.Responded) result).status()).isEqualTo(302);
    assertThat(result.success()).isFalse();
    assertThat(redirected).hasValue(0);
    assertThat(receiver.requests).hasSize(1);
  }

  @Test
  void a_429_is_throttled_and_its_retry_after_seconds_are_read() throws Exception {
    LoopbackReceiver receiver =
        receiver(
            ex -> {
              ex.getResponseHeaders().add("retry-after", "120");
              respond(ex, 429, "slow down".getBytes(UTF8));
            });

    Result result = sender().send(receiver.url("/"), Map.of(), "{}".getBytes(UTF8));

    assertThat(result).isInstanceOf(Result.Responded.class);
    Result.Responded r = (Result.Responded) result;
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(120));
    assertThat(result.throttled()).isTrue();
    assertThat(result.success()).isFalse();
  }

  @Test
  void retry_after_reads_seconds_and_http_dates_and_caps_at_a_day() {
    Instant now = Instant.parse("2025-01-01T00:00:00Z");
    String in90s =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(90).atOffset(ZoneOffset.UTC));
    String past =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(now.minusSeconds(90).atOffset(ZoneOffset.UTC));
    assertThat(Sender.retryAfter("7", now)).isEqualTo(Duration.ofSeconds(7));
    assertThat(Sender.retryAfter(" 0 ", now)).isEqualTo(Duration.ZERO);
    assertThat(Sender.retryAfter(in90s, now)).isEqualTo(Duration.ofSeconds(90));
    assertThat(Sender.retryAfter(past, now)).isEqualTo(Duration.ZERO);
    assertThat(Sender.retryAfter("86401", now)).isEqualTo(Duration.ofHours(24));
    assertThat(Sender.retryAfter("99999999999999999999", now)).isEqualTo(Duration.ofHours(24));
    assertThat(Sender.retryAfter("-5", now)).isNull();
    assertThat(Sender.retryAfter("soon", now)).isNull();
    assertThat(Sender.retryAfter(null, now)).isNull();
  }

  @Test
  void a_receiver_slower_than_the_total_timeout_gives_a_timeout_in_bounded_time() throws Exception {
    LoopbackReceiver receiver =
        receiver(
            ex -> {
              sleep(5_000);
              respond(ex, 200, "late".getBytes(UTF8));
            });
    Sender sender = sender(LOOPBACK, Duration.ofMillis(500));

    long start = System.nanoTime();
    Result result = sender.send(receiver.url("/"), Map.of(), "{}".getBytes(UTF8));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertThat(result).isInstanceOf(Result.Failed.class);
    assertThat(((Result.Failed) result).kind()).isEqualTo(Result.Kind.TIMEOUT);
    assertThat(result.throttled()).isTrue();
    assertThat(result.success()).isFalse();
    assertThat(elapsed).isBetween(Duration.ofMillis(450), Duration.ofMillis(3_000));
    assertThat(result.took()).isLessThanOrEqualTo(elapsed);
  }

  @Test
  void a_capture_whose_deadline_passes_before_jetty_reports_ends_its_wait_with_a_timeout()
      throws Exception {
    // The caller waits without a timeout of its own; the deadline the client's scheduler holds
    // for it expires the capture, should Jetty never report.
    BoundedCapture capture = new BoundedCapture(16);
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread waiting =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    outcome.set(capture.await());
                  } catch (Exception e) {
                    outcome.set(e);
                  }
                });
    await().until(() -> waiting.getState() == Thread.State.WAITING);
    capture.expire();
    assertThat(waiting.join(Duration.ofSeconds(5))).isTrue();
    assertThat(outcome.get()).isInstanceOf(TimeoutException.class);
    assertThatThrownBy(capture::await).isInstanceOf(TimeoutException.class);
  }

  @Test
  void a_closed_port_gives_a_connect_failure() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    Result result = sender().send("http://127.0.0.1:" + port + "/", Map.of(), new byte[0]);

    assertThat(result).isInstanceOf(Result.Failed.class);
    Result.Failed f = (Result.Failed) result;
    assertThat(f.kind()).isEqualTo(Result.Kind.CONNECT);
    assertThat(f.reason()).containsIgnoringCase("refused");
    assertThat(result.throttled()).isFalse();
  }

  @Test
  void an_unresolvable_host_gives_a_connect_failure() {
    Result result = sender().send("http://herald-test.invalid/", Map.of(), new byte[0]);

    assertThat(result).isInstanceOf(Result.Failed.class);
    assertThat(((Result.Failed) result).kind()).isEqualTo(Result.Kind.CONNECT);
  }

  @Test
  void a_url_that_is_not_http_is_refused_without_a_request() {
    Result ftp = sender().send("ftp://127.0.0.1/x", Map.of(), new byte[0]);
    Result junk = sender().send("http://exa mple.com/", Map.of(), new byte[0]);

    assertThat(ftp).isInstanceOf(Result.Failed.class);
    assertThat(((Result.Failed) ftp).kind()).isEqualTo(Result.Kind.OTHER);
    assertThat(((Result.Failed) ftp).reason()).contains("scheme");
    assertThat(junk).isInstanceOf(Result.Failed.class);
    assertThat(((Result.Failed) junk).kind()).isEqualTo(Result.Kind.OTHER);
  }

  @Test
  void loopback_without_the_whitelist_is_refused_before_any_connection() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closeAfter.add(listener);
    // A platform thread: carriers of virtual threads may be busy with other tests' receivers.
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                  accepted.incrementAndGet();
                } catch (IOException e) {
                  return;
                }
              }
            });
    int port = listener.getLocalPort();
    Sender guarded = sender(List.of(), Duration.ofSeconds(5));

    for (String host : List.of("127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]")) {
      Result result = guarded.send("http://" + host + ":" + port + "/", Map.of(), new byte[0]);
      assertThat(result).as(host).isInstanceOf(Result.Failed.class);
      Result.Failed f = (Result.Failed) result;
      assertThat(f.kind()).as(host).isEqualTo(Result.Kind.SSRF);
      assertThat(f.reason()).as(host).contains("HERALD_WHITELIST_SUBNETS");
    }
    Thread.sleep(200);
    assertThat(accepted).hasValue(0);

    // The counter does see a connection the guard lets through.
    Result through = sender().send("http://127.0.0.1:" + port + "/", Map.of(), new byte[0]);
    await()
        .atMost(Duration.ofSeconds(15))
        .alias("whitelisted send came to " + through)
        .until(() -> accepted.get() >= 1);
  }

  @Test
  void an_endless_body_is_cut_at_the_cap_without_growing_memory_or_waiting() throws Exception {
    AtomicLong written = new AtomicLong();
    AtomicBoolean clientHungUp = new AtomicBoolean();
    CountDownLatch writerDone = new CountDownLatch(1);
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'x');
    LoopbackReceiver receiver =
        receiver(
            ex -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
              try {
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                while (written.get() < 200L * 1024 * 1024 && System.nanoTime() < deadline) {
                  out.write(chunk);
                  out.flush();
                  written.addAndGet(chunk.length);
                }
              } catch (IOException e) {
                clientHungUp.set(true);
              } finally {
                writerDone.countDown();
                ex.close();
              }
            });
    Sender sender = sender(LOOPBACK, Duration.ofSeconds(8));
    sender.send(receiver.url("/warm-up-is-also-endless"), Map.of(), new byte[0]);
    assertThat(writerDone.await(15, TimeUnit.SECONDS)).isTrue();
    long before = usedHeapAfterGc();

    long start = System.nanoTime();
    Result result = sender.send(receiver.url("/"), Map.of(), "{}".getBytes(UTF8));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    long after = usedHeapAfterGc();

    assertThat(result).isInstanceOf(Result.Responded.class);
    Result.Responded r = (Result.Responded) result;
    assertThat(r.status()).isEqualTo(200);
    assertThat(result.success()).isTrue();
    assertThat(r.body()).hasSize(Sender.MAX_RESPONSE_BYTES).matches("x+");
    assertThat(elapsed).isLessThan(Duration.ofSeconds(5));
    assertThat(after - before).isLessThan(16L * 1024 * 1024);
    assertThat(clientHungUp).isTrue();
    assertThat(written.get()).isLessThan(200L * 1024 * 1024);
  }

  @Test
  void a_body_of_exactly_the_cap_is_kept_whole() throws Exception {
    byte[] full = "y".repeat(Sender.MAX_RESPONSE_BYTES).getBytes(UTF8);
    LoopbackReceiver receiver = receiver(ex -> respond(ex, 201, full));

    Result result = sender().send(receiver.url("/"), Map.of(), new byte[0]);

    assertThat(result).isInstanceOf(Result.Responded.class);
    assertThat(((Result.Responded) result).body()).isEqualTo(new String(full, UTF8));
    assertThat(result.success()).isTrue();
  }

  @Test
  void a_body_one_byte_over_the_cap_is_cut_to_the_cap() throws Exception {
    byte[] over = "z".repeat(Sender.MAX_RESPONSE_BYTES + 1).getBytes(UTF8);
    LoopbackReceiver receiver = receiver(ex -> respond(ex, 200, over));

    Result result = sender().send(receiver.url("/"), Map.of(), new byte[0]);

    assertThat(result).isInstanceOf(Result.Responded.class);
    assertThat(((Result.Responded) result).body()).hasSize(Sender.MAX_RESPONSE_BYTES);
  }

  @Test
  void malformed_utf8_in_the_answer_is_replaced_not_rejected() throws Exception {
    byte[] bad = {'o', 'k', (byte) 0xff, (byte) 0xc3};
    LoopbackReceiver receiver = receiver(ex -> respond(ex, 200, bad));

    Result result = sender().send(receiver.url("/"), Map.of(), new byte[0]);

    assertThat(result).isInstanceOf(Result.Responded.class);
    assertThat(((Result.Responded) result).body()).isEqualTo("ok\uFFFD\uFFFD");
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
