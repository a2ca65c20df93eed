package dev.herald.opwebhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.svix.Svix;
import com.svix.Webhook;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.EndpointPatch;
import com.svix.models.MessageIn;
import com.svix.models.OperationalWebhookEndpointIn;
import com.svix.models.OperationalWebhookEndpointOut;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Operational webhooks: endpoint changes and delivery outcomes reach the organisation's operational
 * endpoints, signed, in Svix's shapes, through Herald's own engine.
 */
class OperationalEventsApiTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final ObjectMapper JSON = new ObjectMapper();

  /** Immediate retries, four of them (five attempts); a second exhaustion 1 s on disables. */
  static final Map<String, String> FAST_FAILURE =
      Map.of("HERALD_RETRY_SCHEDULE", "0,0,0,0", "HERALD_ENDPOINT_DISABLE_AFTER_SECONDS", "1");

  /** One operational webhook as received: its verified body. */
  record Event(String type, JsonNode data) {}

  static OperationalWebhookEndpointOut listen(Svix svix, String url, Set<String> types)
      throws Exception {
    OperationalWebhookEndpointIn in = new OperationalWebhookEndpointIn();
    in.setUrl(URI.create(url));
    in.setFilterTypes(types);
    return svix.getOperationalWebhook().getEndpoint().create(in);
  }

  /** The events at {@code path}, each verified with {@code secret}; waits for {@code n}. */
  static List<Event> events(TestReceiver r, String path, int n, String secret) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (r.count(path) < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    List<Event> out = new java.util.ArrayList<>();
    for (TestReceiver.Received got : r.received()) {
      if (got.path().equals(path)) {
        new Webhook(secret).verify(got.body(), got.headers());
        JsonNode body = JSON.readTree(got.body());
        assertThat(body.size()).as(got.body()).isEqualTo(2);
        out.add(new Event(body.get("type").asText(), body.get("data")));
      }
    }
    return out;
  }

  static List<Event> ofType(List<Event> events, String type) {
    return events.stream().filter(e -> e.type().equals(type)).toList();
  }

  static String secret(Svix svix, OperationalWebhookEndpointOut ep) throws Exception {
    return svix.getOperationalWebhook().getEndpoint().getSecret(ep.getId()).getKey();
  }

  @Test
  void endpoint_changes_are_sent_signed_to_the_operational_endpoint() throws Exception {
    try (TestHerald herald = TestHerald.start();
        TestReceiver receiver = new TestReceiver()) {
      Svix svix = herald.svix();
      OperationalWebhookEndpointOut op = listen(svix, receiver.url("/ops"), null);
      String app =
          svix.getApplication().create(new ApplicationIn().name("shop").uid("shop-uid")).getId();
      EndpointOut ep =
          svix.getEndpoint()
              .create(app, new EndpointIn().url(URI.create(receiver.url("/ep"))).uid("ep-uid"));
      svix.getEndpoint().patch(app, ep.getId(), new EndpointPatch().description("renamed"));
      svix.getEndpoint().patch(app, ep.getId(), new EndpointPatch().disabled(true));
      svix.getEndpoint().delete(app, ep.getId());

      // created, updated, updated + disabled (manual), deleted
      List<Event> got = events(receiver, "/ops", 5, secret(svix, op));
      assertThat(got).hasSize(5);
      assertThat(got.stream().map(Event::type))
          .containsExactlyInAnyOrder(
              "endpoint.created",
              "endpoint.updated",
              "endpoint.updated",
              "endpoint.disabled",
              "endpoint.deleted");
      for (Event e : got) {
        assertThat(e.data().get("appId").asText()).isEqualTo(app);
        assertThat(e.data().get("appUid").asText()).isEqualTo("shop-uid");
        assertThat(e.data().get("endpointId").asText()).isEqualTo(ep.getId());
        assertThat(e.data().get("endpointUid").asText()).isEqualTo("ep-uid");
      }
      Event disabled = ofType(got, "endpoint.disabled").get(0);
      assertThat(disabled.data().get("trigger").asText()).isEqualTo("manual");
      // Changing operational endpoints themselves reports nothing; the app endpoint got nothing.
      svix.getOperationalWebhook()
          .getEndpoint()
          .delete(listen(svix, "https://x.test/", null).getId());
      Thread.sleep(500);
      assertThat(receiver.count("/ops")).isEqualTo(5);
      assertThat(receiver.count("/ep")).isZero();
    }
  }

  @Test
  void failing_endpoint_reports_failing_then_exhausted_then_disabled() throws Exception {
    try (TestHerald herald = TestHerald.start(FAST_FAILURE);
        TestReceiver receiver = new TestReceiver()) {
      receiver.respond(r -> TestReceiver.Reply.status(r.path().equals("/ops") ? 200 : 500));
      Svix svix = herald.svix();
      OperationalWebhookEndpointOut op =
          listen(
              svix,
              receiver.url("/ops"),
              Set.of("message.attempt.failing", "message.attempt.exhausted", "endpoint.disabled"));
      String app = svix.getApplication().create(new ApplicationIn().name("dying")).getId();
      EndpointOut ep =
          svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/dying"))));
      String first =
          svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}")).getId();
      List<Event> got = events(receiver, "/ops", 2, secret(svix, op));
      assertThat(receiver.count("/dying")).isEqualTo(5);
      assertThat(got.stream().map(Event::type))
          .containsExactlyInAnyOrder("message.attempt.failing", "message.attempt.exhausted");
      Instant exhaustedAt = Instant.now();
      for (Event e : got) {
        assertThat(e.data().get("appId").asText()).isEqualTo(app);
        assertThat(e.data().get("msgId").asText()).isEqualTo(first);
        assertThat(e.data().get("endpointId").asText()).isEqualTo(ep.getId());
        assertThat(e.data().get("lastAttempt").get("id").asText()).startsWith("atmpt_");
        assertThat(e.data().get("lastAttempt").get("responseStatusCode").asInt()).isEqualTo(500);
        assertThat(Instant.parse(e.data().get("lastAttempt").get("timestamp").asText()))
            .isBefore(exhaustedAt.plusSeconds(1));
      }

      // A second exhaustion more than a second later disables the endpoint.
      Thread.sleep(1200);
      String second =
          svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}")).getId();
      got = events(receiver, "/ops", 5, secret(svix, op));
      assertThat(got.stream().map(Event::type))
          .containsExactlyInAnyOrder(
              "message.attempt.failing",
              "message.attempt.exhausted",
              "message.attempt.failing",
              "message.attempt.exhausted",
              "endpoint.disabled");
      assertThat(
              ofType(got, "message.attempt.exhausted").stream()
                  .map(e -> e.data().get("msgId").asText()))
          .containsExactlyInAnyOrder(first, second);
      Event disabled = ofType(got, "endpoint.disabled").get(0);
      assertThat(disabled.data().get("endpointId").asText()).isEqualTo(ep.getId());
      assertThat(disabled.data().get("trigger").asText()).isEqualTo("automatic");
      Instant failSince = Instant.parse(disabled.data().get("failSince").asText());
      assertThat(failSince)
          .isBefore(exhaustedAt.plusMillis(1))
          .isAfter(exhaustedAt.minusSeconds(10));
      assertThat(svix.getEndpoint().get(app, ep.getId()).getDisabled()).isTrue();
    }
  }

  @Test
  void endpoint_that_succeeds_after_four_failures_reports_recovered() throws Exception {
    try (TestHerald herald = TestHerald.start(FAST_FAILURE);
        TestReceiver receiver = new TestReceiver()) {
      AtomicInteger tries = new AtomicInteger();
      receiver.respond(
          r ->
              TestReceiver.Reply.status(
                  r.path().equals("/ops") || tries.incrementAndGet() > 4 ? 200 : 503));
      Svix svix = herald.svix();
      OperationalWebhookEndpointOut op =
          listen(
              svix,
              receiver.url("/ops"),
              Set.of(
                  "message.attempt.failing",
                  "message.attempt.recovered",
                  "message.attempt.exhausted"));
      String app = svix.getApplication().create(new ApplicationIn().name("flaky")).getId();
      EndpointOut ep =
          svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/flaky"))));
      String msg =
          svix.getMessage()
              .create(app, new MessageIn().eventType("t").payload("{}").eventId("evt-1"))
              .getId();
      List<Event> got = events(receiver, "/ops", 2, secret(svix, op));
      assertThat(got.stream().map(Event::type))
          .containsExactlyInAnyOrder("message.attempt.failing", "message.attempt.recovered");
      Event failing = ofType(got, "message.attempt.failing").get(0);
      assertThat(failing.data().get("lastAttempt").get("responseStatusCode").asInt())
          .isEqualTo(503);
      Event recovered = ofType(got, "message.attempt.recovered").get(0);
      assertThat(recovered.data().get("msgId").asText()).isEqualTo(msg);
      assertThat(recovered.data().get("msgEventId").asText()).isEqualTo("evt-1");
      assertThat(recovered.data().get("endpointId").asText()).isEqualTo(ep.getId());
      assertThat(recovered.data().get("lastAttempt").get("responseStatusCode").asInt())
          .isEqualTo(200);
      assertThat(receiver.count("/flaky")).isEqualTo(5);
      Thread.sleep(300);
      assertThat(receiver.count("/ops")).isEqualTo(2);
    }
  }

  @Test
  void filter_types_choose_the_events_an_operational_endpoint_gets() throws Exception {
    try (TestHerald herald = TestHerald.start();
        TestReceiver receiver = new TestReceiver()) {
      Svix svix = herald.svix();
      OperationalWebhookEndpointOut all = listen(svix, receiver.url("/all"), null);
      OperationalWebhookEndpointOut deletions =
          listen(svix, receiver.url("/deleted"), Set.of("endpoint.deleted"));
      String app = svix.getApplication().create(new ApplicationIn().name("filters")).getId();
      EndpointOut ep =
          svix.getEndpoint().create(app, new EndpointIn().url(URI.create("https://a.test/")));
      svix.getEndpoint().delete(app, ep.getId());
      assertThat(events(receiver, "/all", 2, secret(svix, all)).stream().map(Event::type))
          .containsExactlyInAnyOrder("endpoint.created", "endpoint.deleted");
      List<Event> filtered = events(receiver, "/deleted", 1, secret(svix, deletions));
      Thread.sleep(300);
      assertThat(receiver.count("/deleted")).isEqualTo(1);
      assertThat(filtered.get(0).type()).isEqualTo("endpoint.deleted");
      assertThat(filtered.get(0).data().get("endpointId").asText()).isEqualTo(ep.getId());
    }
  }

  @Test
  void failing_operational_endpoint_reports_nothing_about_itself() throws Exception {
    try (TestHerald herald = TestHerald.start(FAST_FAILURE);
        TestReceiver receiver = new TestReceiver()) {
      receiver.respond(r -> TestReceiver.Reply.status(r.path().equals("/broken") ? 500 : 200));
      Svix svix = herald.svix();
      OperationalWebhookEndpointOut broken = listen(svix, receiver.url("/broken"), null);
      OperationalWebhookEndpointOut good = listen(svix, receiver.url("/good"), null);
      String app = svix.getApplication().create(new ApplicationIn().name("loops")).getId();
      svix.getEndpoint().create(app, new EndpointIn().url(URI.create("https://a.test/")));
      assertThat(events(receiver, "/good", 1, secret(svix, good)).get(0).type())
          .isEqualTo("endpoint.created");
      // The broken operational endpoint is tried five times, and nobody hears about it.
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (receiver.count("/broken") < 5 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(500);
      assertThat(receiver.count("/broken")).isEqualTo(5);
      assertThat(receiver.count("/good")).isEqualTo(1);
      assertThat(svix.getOperationalWebhook().getEndpoint().get(broken.getId()).getDisabled())
          .isFalse();
    }
  }
}
