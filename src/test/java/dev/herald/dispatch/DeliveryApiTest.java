package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.EndpointSecretRotateIn;
import com.svix.models.MessageIn;
import com.svix.models.MessageOut;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Messages reach their endpoints: signed, filtered, retried, throttled. Real receivers. */
class DeliveryApiTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static TestHerald herald;
  static Svix svix;
  static TestReceiver receiver;

  @BeforeAll
  static void start() {
    herald = TestHerald.start(Map.of("HERALD_RETRY_SCHEDULE", "1,1,1"));
    svix = herald.svix();
    receiver = new TestReceiver();
  }

  @AfterAll
  static void stop() {
    if (receiver != null) {
      receiver.close();
    }
    if (herald != null) {
      herald.close();
    }
  }

  static String app() throws Exception {
    return svix.getApplication().create(new ApplicationIn().name("deliveries")).getId();
  }

  static EndpointOut endpoint(String app, String path) throws Exception {
    return svix.getEndpoint()
        .create(app, new EndpointIn().url(java.net.URI.create(receiver.url(path))));
  }

  static String unique(String base) {
    return "/" + base + "-" + System.nanoTime();
  }

  static boolean awaitPath(String path, int n) throws InterruptedException {
    return awaitPathOf(receiver, path, n);
  }

  /** Waits up to {@link #WAIT} for {@code n} requests at {@code path} of {@code receiver}. */
  static boolean awaitPathOf(TestReceiver receiver, String path, int n)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (receiver.count(path) < n) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  static List<TestReceiver.Received> at(String path) {
    return receiver.received().stream().filter(r -> r.path().equals(path)).toList();
  }

  @Test
  void message_is_delivered_signed_with_the_exact_payload() throws Exception {
    String app = app();
    String path = unique("signed");
    EndpointOut ep = endpoint(app, path);
    String payload = "{ \"a\" : 1.10,\n \"b\":\"é\" }";
    MessageOut msg =
        svix.getMessage()
            .create(app, com.svix.api.Message.messageInRaw(payload).eventType("user.signup"));
    assertThat(awaitPath(path, 1)).isTrue();
    TestReceiver.Received r = at(path).get(0);
    assertThat(r.body()).isEqualTo(payload);
    assertThat(r.header("svix-id")).isEqualTo(msg.getId());
    assertThat(r.header("content-type")).startsWith("application/json");
    assertThat(r.header("user-agent")).isNotBlank();
    String secret = svix.getEndpoint().getSecret(app, ep.getId()).getKey();
    new com.svix.Webhook(secret).verify(r.body(), r.headers());
  }

  @Test
  void only_matching_endpoints_get_the_message() throws Exception {
    String app = app();
    String all = unique("all");
    String typed = unique("typed");
    String other = unique("other");
    String chan = unique("chan");
    endpoint(app, all);
    svix.getEndpoint()
        .create(
            app,
            new EndpointIn()
                .url(java.net.URI.create(receiver.url(typed)))
                .filterTypes(Set.of("a.b")));
    svix.getEndpoint()
        .create(
            app,
            new EndpointIn()
                .url(java.net.URI.create(receiver.url(other)))
                .filterTypes(Set.of("x.y")));
    svix.getEndpoint()
        .create(
            app,
            new EndpointIn().url(java.net.URI.create(receiver.url(chan))).channels(Set.of("c1")));
    svix.getMessage().create(app, new MessageIn().eventType("a.b").payload("{\"k\":1}"));
    assertThat(awaitPath(all, 1)).isTrue();
    assertThat(awaitPath(typed, 1)).isTrue();
    Thread.sleep(500);
    assertThat(receiver.count(other)).isZero();
    assertThat(receiver.count(chan)).isZero();
    svix.getMessage()
        .create(app, new MessageIn().eventType("a.b").channels(Set.of("c1")).payload("{}"));
    assertThat(awaitPath(chan, 1)).isTrue();
  }

  @Test
  void failing_endpoint_is_retried_on_schedule_until_it_succeeds() throws Exception {
    String app = app();
    String path = unique("flaky");
    AtomicInteger calls = new AtomicInteger();
    receiver.respond(
        r ->
            r.path().equals(path) && calls.incrementAndGet() <= 2
                ? TestReceiver.Reply.status(500)
                : TestReceiver.Reply.status(200));
    try {
      endpoint(app, path);
      svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}"));
      assertThat(awaitPath(path, 3)).isTrue();
      List<TestReceiver.Received> got = at(path);
      // A fresh timestamp on each attempt, the same message id.
      assertThat(got.stream().map(r -> r.header("svix-id")).distinct()).hasSize(1);
      long gapMs = (got.get(1).receivedAtNanos() - got.get(0).receivedAtNanos()) / 1_000_000;
      assertThat(gapMs).isGreaterThanOrEqualTo(700);
      Thread.sleep(1500);
      assertThat(receiver.count(path)).isEqualTo(3);
    } finally {
      receiver.respond(r -> TestReceiver.Reply.status(200));
    }
  }

  @Test
  void exhausted_delivery_stops_after_the_schedule() throws Exception {
    String app = app();
    String path = unique("dead");
    receiver.respond(
        r ->
            r.path().equals(path)
                ? TestReceiver.Reply.status(503)
                : TestReceiver.Reply.status(200));
    try {
      endpoint(app, path);
      svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}"));
      assertThat(awaitPath(path, 4)).isTrue();
      Thread.sleep(2500);
      assertThat(receiver.count(path)).isEqualTo(4);
    } finally {
      receiver.respond(r -> TestReceiver.Reply.status(200));
    }
  }

  @Test
  void disabled_endpoint_gets_nothing_and_custom_headers_are_sent() throws Exception {
    String app = app();
    String off = unique("off");
    String on = unique("on");
    svix.getEndpoint()
        .create(app, new EndpointIn().url(java.net.URI.create(receiver.url(off))).disabled(true));
    EndpointOut ep = endpoint(app, on);
    svix.getEndpoint()
        .updateHeaders(
            app,
            ep.getId(),
            new com.svix.models.EndpointHeadersIn().headers(Map.of("X-Tenant", "t-1")));
    svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}"));
    assertThat(awaitPath(on, 1)).isTrue();
    assertThat(at(on).get(0).header("x-tenant")).isEqualTo("t-1");
    Thread.sleep(500);
    assertThat(receiver.count(off)).isZero();
  }

  @Test
  void after_rotation_the_old_secret_still_verifies() throws Exception {
    String app = app();
    String path = unique("rotated");
    EndpointOut ep = endpoint(app, path);
    String old = svix.getEndpoint().getSecret(app, ep.getId()).getKey();
    svix.getEndpoint().rotateSecret(app, ep.getId(), new EndpointSecretRotateIn());
    String current = svix.getEndpoint().getSecret(app, ep.getId()).getKey();
    svix.getMessage().create(app, new MessageIn().eventType("t").payload("{\"x\":1}"));
    assertThat(awaitPath(path, 1)).isTrue();
    TestReceiver.Received r = at(path).get(0);
    assertThat(r.header("svix-signature").split(" ")).hasSize(2);
    new com.svix.Webhook(old).verify(r.body(), r.headers());
    new com.svix.Webhook(current).verify(r.body(), r.headers());
  }

  @Test
  void throttle_rate_spaces_deliveries_to_one_endpoint() throws Exception {
    String app = app();
    String path = unique("throttled");
    svix.getEndpoint()
        .create(
            app, new EndpointIn().url(java.net.URI.create(receiver.url(path))).throttleRate(2L));
    for (int i = 0; i < 5; i++) {
      svix.getMessage().create(app, new MessageIn().eventType("t").payload("{\"i\":" + i + "}"));
    }
    assertThat(awaitPath(path, 5)).isTrue();
    List<TestReceiver.Received> got = at(path);
    long spanMs =
        (got.get(got.size() - 1).receivedAtNanos() - got.get(0).receivedAtNanos()) / 1_000_000;
    // Five deliveries at two per second cannot arrive within 1.5 s of each other.
    assertThat(spanMs).isGreaterThanOrEqualTo(1500);
  }

  @Test
  void a_slow_endpoint_does_not_hold_up_a_fast_one() throws Exception {
    String app = app();
    String slow = unique("slow");
    String fast = unique("fast");
    receiver.respond(
        r ->
            r.path().equals(slow)
                ? new TestReceiver.Reply(200, "", Duration.ofSeconds(2), Map.of())
                : TestReceiver.Reply.status(200));
    try {
      svix.getEndpoint()
          .create(
              app,
              new EndpointIn()
                  .url(java.net.URI.create(receiver.url(slow)))
                  .filterTypes(Set.of("slow")));
      svix.getEndpoint()
          .create(
              app,
              new EndpointIn()
                  .url(java.net.URI.create(receiver.url(fast)))
                  .filterTypes(Set.of("fast")));
      for (int i = 0; i < 40; i++) {
        svix.getMessage().create(app, new MessageIn().eventType("slow").payload("{}"));
      }
      long t0 = System.nanoTime();
      svix.getMessage().create(app, new MessageIn().eventType("fast").payload("{}"));
      assertThat(awaitPath(fast, 1)).isTrue();
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1900);
    } finally {
      receiver.respond(r -> TestReceiver.Reply.status(200));
    }
  }

  @Test
  void ed25519_endpoint_gets_v1a_signatures_that_its_public_key_verifies() throws Exception {
    var pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] pkcs8 = pair.getPrivate().getEncoded();
    byte[] seed = java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
    String app = app();
    String path = unique("ed25519");
    EndpointOut ep =
        svix.getEndpoint()
            .create(
                app,
                new EndpointIn()
                    .url(java.net.URI.create(receiver.url(path)))
                    .secret("whsk_" + java.util.Base64.getEncoder().encodeToString(seed)));
    // The API shows the public key, never the private one.
    String shown = svix.getEndpoint().getSecret(app, ep.getId()).getKey();
    byte[] x509 = pair.getPublic().getEncoded();
    byte[] pub = java.util.Arrays.copyOfRange(x509, x509.length - 32, x509.length);
    assertThat(shown).isEqualTo("whpk_" + java.util.Base64.getEncoder().encodeToString(pub));

    svix.getMessage().create(app, new MessageIn().eventType("t").payload("{\"ed\":1}"));
    assertThat(awaitPath(path, 1)).isTrue();
    TestReceiver.Received r = at(path).get(0);
    String sig = r.header("svix-signature");
    assertThat(sig).startsWith("v1a,");
    java.security.Signature verify = java.security.Signature.getInstance("Ed25519");
    verify.initVerify(pair.getPublic());
    verify.update(
        (r.header("svix-id") + "." + r.header("svix-timestamp") + "." + r.body())
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(verify.verify(java.util.Base64.getDecoder().decode(sig.substring(4)))).isTrue();
  }

  @Test
  void malformed_ed25519_secret_is_422_and_creates_nothing() throws Exception {
    String app = app();
    TestHerald.Resp r =
        herald.call(
            "POST",
            "/api/v1/app/" + app + "/endpoint",
            "{\"url\":\"" + receiver.url("/x") + "\",\"secret\":\"whsk_AAAA\"}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).contains("[\"body\",\"secret\"]");
    assertThat(svix.getEndpoint().list(app).getData()).isEmpty();
  }
}
