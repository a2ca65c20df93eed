package dev.herald.torture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ChildHerald;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The torture suite: one Herald in a child JVM with a small fixed heap receives hostile inputs and
 * loads, one after the other, while small ordinary messages flow to a normal endpoint. Every bad
 * request must get a clear 4xx, 429 or 503, the process must never die, its RSS (sampled from
 * {@code /proc/<pid>/status} every 100 ms) must stay under {@link #RSS_BOUND}, and every ordinary
 * message answered 202 must be delivered. The statuses seen and the RSS figures are printed for the
 * README. Runs once, on SQLite (the inputs are refused before any storage is touched).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TortureTest {
  /**
   * Bound on the child's RSS. With -Xmx96m: a heap of at most 96 MiB, metaspace (~35 MiB for Jetty,
   * Javalin, Jackson, Micrometer, Flyway, the JDBC drivers), code cache (up to ~50 MiB with both
   * JIT tiers), thread stacks (platform threads of Jetty, the Sender's pool, JIT and GC; some 40 at
   * 512 KiB, touched only in part), direct buffers capped at 64 MiB, and malloc arenas (two, with
   * MALLOC_ARENA_MAX=2) for SQLite, the JIT and NMT. Measured peaks are in the README; 400 MiB
   * leaves a margin and still catches any input that the heap cap does not bound.
   */
  static final long RSS_BOUND = 400L * 1024 * 1024;

  /** The launcher's defaults (see {@code ./herald}: change both together), direct memory capped. */
  static final List<String> JVM = jvm();

  private static List<String> jvm() {
    List<String> options =
        new ArrayList<>(
            List.of(
                "-Xmx96m",
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:MaxDirectMemorySize=64m",
                "-Xss512k",
                "-XX:NativeMemoryTracking=summary"));
    if (Runtime.version().feature() >= 22) {
      options.add("-XX:TrimNativeHeapInterval=1000");
    }
    if (Runtime.version().feature() >= 25) {
      options.add("-XX:+UseCompactObjectHeaders");
    }
    return List.copyOf(options);
  }

  static final long MAX_BODY = 1024 * 1024;
  static final Duration DELIVERY_DEADLINE = Duration.ofSeconds(60);
  static final String HEAVY_APP = "torture";

  /** The heavy app fans each message out to four endpoints: 1 MB accepted is 4 MB to send. */
  static final List<String> HEAVY_ENDPOINTS =
      List.of("/heavy-0", "/heavy-1", "/heavy-2", "/heavy-3");

  static final String ORDINARY_APP = "ordinary";
  static final String ENDLESS_APP = "endless";

  TestHerald.Storage storage;
  ChildHerald child;
  RssSampler rss;
  TestReceiver receiver;
  Sink sink;
  EndlessEndpoint endless;
  HttpClient http;
  OrdinaryTraffic ordinary;
  String token;
  Calls calls;
  long idleRss;
  final List<String> report = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  void start() throws Exception {
    storage = TestHerald.Storage.create();
    Map<String, String> env = new HashMap<>(storage.settings());
    env.put("HERALD_LISTEN_ADDRESS", "127.0.0.1:0");
    env.put("HERALD_BODY_READ_TIMEOUT_MS", "2000");
    env.put("HERALD_REQUEST_TIMEOUT_MS", "5000");
    env.put("HERALD_CONNECT_TIMEOUT_MS", "2000");
    env.put("HERALD_ATTEMPT_LEASE_MS", "10000");
    env.put("HERALD_RETRY_SCHEDULE", "1,1");
    env.put("MALLOC_ARENA_MAX", "2");
    child = ChildHerald.start(env, JVM);
    rss = new RssSampler(child.pid());
    receiver = new TestReceiver();
    sink = new Sink();
    endless = new EndlessEndpoint();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    token =
        new dev.herald.auth.Tokens(TestHerald.JWT_SECRET, Clock.systemUTC())
            .orgToken(TestHerald.ORG);
    calls = new Calls(child, http, token);
    calls.app(HEAVY_APP, HEAVY_ENDPOINTS.stream().map(sink::url).toArray(String[]::new));
    calls.app(ORDINARY_APP, receiver.url("/ordinary"));
    calls.app(ENDLESS_APP, endless.url("/close"), endless.url("/chunked"));
    Thread.sleep(2000);
    idleRss = rss.now().orElseThrow();
    note("idle", "RSS " + RssSampler.mib(idleRss) + " after start-up and set-up");
    ordinary = new OrdinaryTraffic(http, child.baseUrl(), token, ORDINARY_APP);
    ordinary.start();
  }

  @AfterEach
  void heraldIsStillAlive() {
    assertThat(child.alive()).as("Herald died; its log:\n%s", child.log()).isTrue();
  }

  @AfterAll
  void stop() throws Exception {
    if (ordinary != null) {
      ordinary.close();
    }
    if (rss != null) {
      rss.close();
      note("RSS", "peak " + RssSampler.mib(rss.peak()) + " over " + rss.samples() + " samples");
      rss.phasePeaks().forEach((k, v) -> note("RSS peak in phase", k + ": " + RssSampler.mib(v)));
    }
    System.out.println("=== torture report ===\n" + String.join("\n", report));
    if (child != null) {
      child.close();
    }
    if (endless != null) {
      endless.close();
    }
    if (sink != null) {
      sink.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    if (http != null) {
      http.close();
    }
    if (storage != null) {
      storage.close();
    }
  }

  @Test
  @Order(1)
  void json_nested_100000_deep_is_refused_with_400() throws Exception {
    rss.phase("nested");
    String deep = Bodies.nested(100_000);
    expectInvalidJson("nested 100,000 deep as a payload", msg(Bodies.message(deep)));
    expectInvalidJson(
        "nested 100,000 deep as a body", calls.post("/api/v1/app", Bodies.bytes(deep)));
    String objects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
    expectInvalidJson("100,000 nested objects as a payload", msg(Bodies.message(objects)));
  }

  @Test
  @Order(2)
  void a_100_mb_string_is_refused_with_413_before_it_is_read() {
    rss.phase("100 MB string");
    var body =
        new Bodies.Repeated(
            "{\"eventType\":\"torture\",\"payload\":{\"s\":\"", (byte) 'a', 100_000_000L, "\"}}");
    RawHttp.Answer declared = calls.raw(Calls.msgPath(HEAVY_APP), body.stream(), body.length());
    note("100 MB string, Content-Length declared", declared.describe());
    assertThat(declared.status()).isEqualTo(413);
    assertThat(declared.body()).contains("\"code\":\"payload_too_large\"");
    assertThat(declared.sent()).isLessThan(body.length() / 4);

    RawHttp.Answer chunked = calls.raw(Calls.msgPath(HEAVY_APP), body.stream(), -1);
    note("100 MB string, chunked without a length", chunked.describe());
    assertRefusedPastLimit(chunked, body.length());
  }

  @Test
  @Order(3)
  void a_million_keys_are_refused_with_413_and_as_many_as_fit_in_1_mib_do_no_harm()
      throws Exception {
    rss.phase("million keys");
    byte[] million = Bodies.message(Bodies.manyKeys(1_000_000, Long.MAX_VALUE));
    RawHttp.Answer big =
        calls.raw(Calls.msgPath(HEAVY_APP), new ByteArrayInputStream(million), million.length);
    note("1,000,000 keys (" + million.length + " bytes)", big.describe());
    assertThat(big.status()).isEqualTo(413);

    byte[] fits = Bodies.manyKeys(1_000_000, MAX_BODY - 64);
    HttpResponse<String> asPayload = msg(Bodies.message(fits));
    note(Bodies.keyCount(fits) + " keys in a payload under 1 MiB", status(asPayload));
    assertThat(asPayload.statusCode()).isEqualTo(202);
    HttpResponse<String> asBody = calls.post("/api/v1/app", fits);
    note(Bodies.keyCount(fits) + " keys as an application body", status(asBody));
    assertThat(asBody.statusCode()).isIn(400, 422);
  }

  @Test
  @Order(4)
  void numbers_past_100_digits_are_refused_with_400() throws Exception {
    rss.phase("long numbers");
    String million = "1".repeat(1_000_000);
    expectInvalidJson(
        "1,000,000-digit number in a payload", msg(Bodies.message("{\"n\":" + million + "}")));
    expectInvalidJson(
        "1,000,000-digit number as a body", calls.post("/api/v1/app", Bodies.bytes(million)));
    String thousand = "9".repeat(1_000);
    expectInvalidJson(
        "1,000-digit number in a payload", msg(Bodies.message("{\"n\":" + thousand + "}")));
    expectInvalidJson(
        "1,000-digit fraction in a payload", msg(Bodies.message("[0." + thousand + "]")));
  }

  @Test
  @Order(5)
  void invalid_utf8_is_refused_with_400() throws Exception {
    rss.phase("invalid UTF-8");
    byte[] bad = {'"', 'a', (byte) 0xff, (byte) 0xfe, 'b', '"'};
    byte[] truncated = {'"', 'a', (byte) 0xe2, (byte) 0x82, '"'};
    expectInvalidJson(
        "0xFF 0xFE in a payload string", msg(Bodies.message(Bodies.concat("{\"s\":", bad, "}"))));
    expectInvalidJson(
        "truncated sequence in a payload string",
        msg(Bodies.message(Bodies.concat("[", truncated, "]"))));
    expectInvalidJson(
        "0xFF 0xFE in an event type",
        msg(Bodies.concat("{\"eventType\":", bad, ",\"payload\":{}}")));
    expectInvalidJson(
        "0xFF 0xFE in an application name",
        calls.post("/api/v1/app", Bodies.concat("{\"name\":", bad, "}")));
  }

  @Test
  @Order(6)
  void an_unterminated_document_is_refused_with_400() throws Exception {
    rss.phase("unterminated");
    expectInvalidJson(
        "unterminated payload array",
        msg(Bodies.bytes("{\"eventType\":\"torture\",\"payload\":{\"a\":[1,2")));
    expectInvalidJson(
        "unterminated payload string",
        msg(Bodies.bytes("{\"eventType\":\"torture\",\"payload\":{\"s\":\"abc")));
    expectInvalidJson(
        "unterminated application body",
        calls.post("/api/v1/app", Bodies.bytes("{\"name\":\"a\"")));
  }

  @Test
  @Order(7)
  void ten_thousand_headers_are_refused_with_431() {
    rss.phase("10,000 headers");
    Map<String, String> headers = new java.util.LinkedHashMap<>(calls.authHeaders());
    for (int i = 0; i < 10_000; i++) {
      headers.put("X-Torture-" + i, "v");
    }
    headers.put("Content-Length", "2");
    String head = RawHttp.head("POST", Calls.msgPath(HEAVY_APP), headers);
    RawHttp.Answer a =
        RawHttp.exchange(
            child.port(), head, new ByteArrayInputStream(Bodies.bytes("{}")), 2, Calls.TIMEOUT);
    note("10,000 headers (" + head.length() + " bytes)", a.describe());
    assertThat(a.status()).isEqualTo(431);
  }

  @Test
  @Order(8)
  void slow_bodies_get_408_while_ordinary_requests_are_served() throws Exception {
    rss.phase("slow-loris");
    int connections = 50;
    Map<String, String> headers = new java.util.LinkedHashMap<>(calls.authHeaders());
    headers.put("Content-Length", "60");
    String head = RawHttp.head("POST", Calls.msgPath(HEAVY_APP), headers);
    List<RawHttp.Answer> answers = Collections.synchronizedList(new ArrayList<>());
    Thread loris =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    answers.addAll(
                        RawHttp.slowBodies(
                            child.port(),
                            head,
                            connections,
                            60,
                            Duration.ofSeconds(1),
                            Duration.ofSeconds(20)));
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    List<Integer> served = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Thread.sleep(300);
      served.add(ordinary.send());
    }
    loris.join(30_000);
    Map<String, Integer> seen = new TreeMap<>();
    long slowest = 0;
    for (RawHttp.Answer a : answers) {
      seen.merge(a.status() > 0 ? Integer.toString(a.status()) : a.failure(), 1, Integer::sum);
      slowest = Math.max(slowest, a.millis());
    }
    note(
        connections + " slow-loris bodies, 1 byte/s, 2 s body timeout",
        seen + ", last answer after " + slowest + " ms");
    note("ordinary messages sent during the slow-loris", served.toString());
    assertThat(answers).hasSize(connections).allSatisfy(a -> assertThat(a.status()).isEqualTo(408));
    assertThat(slowest).isLessThan(8000);
    assertThat(served).containsOnly(202);
  }

  @Test
  @Order(9)
  void two_hundred_concurrent_1_mb_messages_get_202_or_503_with_retry_after() throws Exception {
    rss.phase("200 x 1 MB");
    int delivered = sink.requests();
    byte[] body = Bodies.message("{\"s\":\"" + "m".repeat((int) (MAX_BODY - 100)) + "\"}");
    assertThat((long) body.length).isLessThan(MAX_BODY);
    int n = 200;
    List<RawHttp.Answer> answers = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    answers.add(
                        calls.raw(
                            Calls.msgPath(HEAVY_APP), new ByteArrayInputStream(body), body.length));
                  }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(60_000);
    }
    Map<String, Integer> seen = new TreeMap<>();
    for (RawHttp.Answer a : answers) {
      seen.merge(a.status() > 0 ? Integer.toString(a.status()) : a.failure(), 1, Integer::sum);
    }
    note(n + " concurrent 1 MB messages", seen.toString());
    assertThat(answers).hasSize(n);
    assertThat(answers).allSatisfy(a -> assertThat(a.status()).isIn(202, 429, 503));
    assertThat(answers)
        .filteredOn(a -> a.status() != 202)
        .allSatisfy(a -> assertThat(a.header("Retry-After")).isNotBlank());
    assertThat(answers).anySatisfy(a -> assertThat(a.status()).isEqualTo(202));
    long owed = delivered + seen.getOrDefault("202", 0) * (long) HEAVY_ENDPOINTS.size();
    long until = System.nanoTime() + DELIVERY_DEADLINE.toNanos();
    while (sink.requests() < owed && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    note("deliveries of 1 MB messages", sink.requests() + " of " + owed + " owed reached the sink");
    assertThat(sink.requests()).isGreaterThanOrEqualTo((int) owed);
  }

  @Test
  @Order(10)
  void an_endless_response_is_cut_off_and_recorded_as_an_attempt() throws Exception {
    rss.phase("endless response");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r =
          calls.post(
              Calls.msgPath(ENDLESS_APP),
              Bodies.bytes("{\"eventType\":\"torture\",\"payload\":{\"endless\":" + i + "}}"));
      assertThat(r.statusCode()).isEqualTo(202);
      ids.add(id(r.body()));
    }
    List<Attempts.Row> rows = Attempts.await(storage, ids, 2 * ids.size(), Duration.ofSeconds(40));
    note(
        "endless response bodies (3 messages x 2 endpoints)",
        rows.size()
            + " attempts recorded, statuses "
            + rows.stream().map(Attempts.Row::status).toList()
            + ", longest response kept "
            + rows.stream().mapToInt(Attempts.Row::responseLength).max().orElse(-1)
            + " chars, most bytes the endpoint wrote into one answer "
            + endless.maxWritten());
    assertThat(rows).hasSize(2 * ids.size());
    assertThat(rows).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(rows).allSatisfy(r -> assertThat(r.responseLength()).isBetween(1, 20 * 1024));
    assertThat(endless.maxWritten()).isLessThan(EndlessEndpoint.MAX_BYTES);
  }

  @Test
  @Order(100)
  void afterwards_ordinary_messages_are_delivered_and_memory_stayed_bounded() throws Exception {
    rss.phase("after");
    ordinary.close();
    int during = ordinary.accepted().size();
    List<Integer> after = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      after.add(ordinary.send());
    }
    long until = System.nanoTime() + DELIVERY_DEADLINE.toNanos();
    while (System.nanoTime() < until && !ordinary.undelivered(receiver).isEmpty()) {
      Thread.sleep(200);
    }
    note(
        "ordinary messages",
        "statuses "
            + ordinary.statuses()
            + "; "
            + ordinary.accepted().size()
            + " accepted ("
            + during
            + " during the torture), undelivered "
            + ordinary.undelivered(receiver));
    note("1 MB messages delivered to the sink", sink.requests() + " (" + sink.bytes() + " bytes)");
    assertThat(during).isGreaterThan(10);
    assertThat(after).containsOnly(202);
    assertThat(ordinary.undelivered(receiver)).isEmpty();

    HttpResponse<String> health = calls.get("/api/v1/health");
    assertThat(health.statusCode()).isEqualTo(204);
    assertThat(child.alive()).isTrue();
    assertThat(rss.peak())
        .as("peak RSS %s", RssSampler.mib(rss.peak()))
        .isPositive()
        .isLessThan(RSS_BOUND);

    long before = rss.now().orElseThrow();
    String metrics = calls.get("/metrics").body();
    long afterScrape = rss.now().orElseThrow();
    Matcher m = Pattern.compile("(?m)^process_resident_memory_bytes (\\S+)$").matcher(metrics);
    assertThat(m.find()).isTrue();
    double scraped = Double.parseDouble(m.group(1));
    note(
        "/metrics RSS",
        RssSampler.mib((long) scraped)
            + " against /proc "
            + RssSampler.mib(before)
            + ".."
            + RssSampler.mib(afterScrape));
    assertThat(scraped)
        .isBetween(Math.min(before, afterScrape) * 0.95, Math.max(before, afterScrape) * 1.05);
  }

  // ---------------------------------------------------------------- helpers

  void note(String input, String outcome) {
    String line = input + " -> " + outcome;
    report.add(line);
    System.out.println("torture: " + line);
  }

  void expectInvalidJson(String input, HttpResponse<String> r) {
    note(input, status(r));
    assertThat(r.statusCode()).as(input).isEqualTo(400);
    assertThat(r.body()).as(input).contains("\"code\":\"invalid_json\"");
  }

  /** A refusal of a body past the limit: a 413, or the connection cut once the limit was passed. */
  static void assertRefusedPastLimit(RawHttp.Answer a, long length) {
    if (a.status() > 0) {
      assertThat(a.status()).isEqualTo(413);
    } else {
      assertThat(a.sent()).isGreaterThan(MAX_BODY);
    }
    assertThat(a.sent()).isLessThan(length);
  }

  static String status(HttpResponse<String> r) {
    String b = r.body();
    return r.statusCode() + " " + (b.length() > 160 ? b.substring(0, 160) + "..." : b);
  }

  static String id(String body) {
    Matcher m = OrdinaryTraffic.ID.matcher(body);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  HttpResponse<String> msg(byte[] body) throws Exception {
    return calls.post(Calls.msgPath(HEAVY_APP), body);
  }
}
