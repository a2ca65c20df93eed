package dev.herald.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.api.MessageListOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.ApplicationIn;
import com.svix.models.MessageIn;
import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every way a message is refused: the status, Svix's error body, and that nothing was stored. */
class MessageErrorApiTest {
  static TestHerald herald;
  static Svix svix;

  @BeforeAll
  static void start() {
    herald = TestHerald.start();
    svix = herald.svix();
  }

  @AfterAll
  static void stop() {
    if (herald != null) {
      herald.close();
    }
  }

  static String newApp() throws Exception {
    return svix.getApplication().create(new ApplicationIn().name("refusals")).getId();
  }

  static int count(String app) throws Exception {
    MessageListOptions o = new MessageListOptions();
    o.setLimit(250L);
    return svix.getMessage().list(app, o).getData().size();
  }

  static TestHerald.Resp post(String app, String body) {
    return herald.call("POST", "/api/v1/app/" + app + "/msg", body);
  }

  static void assertInvalid(TestHerald.Resp r, String loc, String msg) {
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).contains("\"loc\":" + loc).contains(msg);
  }

  @Test
  void missing_event_type_is_422_and_stores_nothing() throws Exception {
    String app = newApp();
    assertInvalid(post(app, "{\"payload\":{}}"), "[\"body\",\"eventType\"]", "field required");
    assertInvalid(
        post(app, "{\"eventType\":\"has space\",\"payload\":{}}"),
        "[\"body\",\"eventType\"]",
        "string does not match regex");
    assertThat(count(app)).isZero();
  }

  @Test
  void payload_that_is_not_an_object_is_422_and_stores_nothing() throws Exception {
    String app = newApp();
    assertInvalid(
        post(app, "{\"eventType\":\"t\",\"payload\":[1,2]}"),
        "[\"body\",\"payload\"]",
        "value is not a valid dict");
    assertInvalid(
        post(app, "{\"eventType\":\"t\",\"payload\":\"{}\"}"),
        "[\"body\",\"payload\"]",
        "value is not a valid dict");
    assertInvalid(post(app, "{\"eventType\":\"t\"}"), "[\"body\",\"payload\"]", "field required");
    assertThat(count(app)).isZero();
  }

  @Test
  void raw_payload_that_is_not_one_json_object_is_422_and_stores_nothing() throws Exception {
    String app = newApp();
    String loc = "[\"body\",\"transformationsParams\",\"rawPayload\"]";
    for (String raw : new String[] {"{\\\"a\\\":", "[1]", "{} {}", "not json"}) {
      String body =
          "{\"eventType\":\"t\",\"payload\":{},\"transformationsParams\":{\"rawPayload\":\""
              + raw
              + "\"}}";
      assertInvalid(post(app, body), loc, "rawPayload");
    }
    assertInvalid(
        post(
            app,
            "{\"eventType\":\"t\",\"payload\":{},\"transformationsParams\":{\"rawPayload\":{}}}"),
        loc,
        "str type expected");
    assertThatThrownBy(() -> svix.getMessage().create(app, rawMessage("{\"unterminated\": ")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    assertThat(count(app)).isZero();
  }

  static MessageIn rawMessage(String payload) {
    return com.svix.api.Message.messageInRaw(payload).eventType("t");
  }

  @Test
  void six_channels_or_a_short_retention_is_422_and_stores_nothing() throws Exception {
    String app = newApp();
    assertInvalid(
        post(
            app,
            "{\"eventType\":\"t\",\"payload\":{},\"channels\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}"),
        "[\"body\",\"channels\"]",
        "at most 5 items");
    assertInvalid(
        post(app, "{\"eventType\":\"t\",\"payload\":{},\"channels\":[]}"),
        "[\"body\",\"channels\"]",
        "at least 1 items");
    assertInvalid(
        post(app, "{\"eventType\":\"t\",\"payload\":{},\"payloadRetentionPeriod\":4}"),
        "[\"body\",\"payloadRetentionPeriod\"]",
        "greater than or equal to 5");
    assertThat(count(app)).isZero();
  }

  @Test
  void duplicate_event_id_is_409_and_keeps_the_first() throws Exception {
    String app = newApp();
    String body = "{\"eventType\":\"t\",\"eventId\":\"once\",\"payload\":{\"n\":1}}";
    assertThat(post(app, body).status()).isEqualTo(202);
    TestHerald.Resp again =
        post(app, "{\"eventType\":\"t2\",\"eventId\":\"once\",\"payload\":{\"n\":2}}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body())
        .contains("\"code\":\"conflict\"")
        .contains("A message with this eventId already exists.");
    assertThat(count(app)).isEqualTo(1);
    assertThat(svix.getMessage().get(app, "once").getPayload()).isEqualTo(Map.of("n", 1));
  }

  @Test
  void concurrent_posts_of_one_event_id_store_one_message() throws Exception {
    String app = newApp();
    svix.getEndpoint()
        .create(
            app,
            new com.svix.models.EndpointIn().url(java.net.URI.create("http://127.0.0.1:9/never")));
    int posts = 16;
    List<TestHerald.Resp> answers;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<TestHerald.Resp>> futures = new ArrayList<>();
      for (int i = 0; i < posts; i++) {
        String body = "{\"eventType\":\"t\",\"eventId\":\"race\",\"payload\":{\"n\":" + i + "}}";
        futures.add(pool.submit(() -> post(app, body)));
      }
      answers = new ArrayList<>();
      for (Future<TestHerald.Resp> f : futures) {
        answers.add(f.get(30, TimeUnit.SECONDS));
      }
    }
    assertThat(answers).filteredOn(r -> r.status() == 202).hasSize(1);
    assertThat(answers)
        .filteredOn(r -> r.status() != 202)
        .hasSize(posts - 1)
        .allSatisfy(
            r -> {
              assertThat(r.status()).isEqualTo(409);
              assertThat(r.body()).contains("A message with this eventId already exists.");
            });
    assertThat(count(app)).isEqualTo(1);
  }

  @Test
  void unknown_app_without_application_is_404_and_creates_nothing() throws Exception {
    String uid = "no-such-app-" + System.nanoTime();
    TestHerald.Resp r = post(uid, "{\"eventType\":\"t\",\"payload\":{}}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).contains("\"code\":\"not_found\"");
    // An invalid message does not create the app it names either.
    TestHerald.Resp invalid = post(uid, "{\"payload\":{},\"application\":{\"name\":\"x\"}}");
    assertThat(invalid.status()).isEqualTo(422);
    assertThatThrownBy(() -> svix.getApplication().get(uid))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    TestHerald.Resp missingMsg = herald.call("GET", "/api/v1/app/" + newApp() + "/msg/nope", null);
    assertThat(missingMsg.status()).isEqualTo(404);
  }

  @Test
  void invalid_list_parameters_are_422() throws Exception {
    String app = newApp();
    String base = "/api/v1/app/" + app + "/msg?";
    assertInvalid(
        herald.call("GET", base + "before=yesterday", null),
        "[\"query\",\"before\"]",
        "invalid datetime");
    assertInvalid(
        herald.call("GET", base + "after=2024-01-01", null),
        "[\"query\",\"after\"]",
        "invalid datetime");
    assertInvalid(
        herald.call("GET", base + "with_content=maybe", null),
        "[\"query\",\"with_content\"]",
        "boolean");
    assertInvalid(
        herald.call("GET", base + "event_types=a,,b", null),
        "[\"query\",\"event_types\"]",
        "regex");
    assertInvalid(
        herald.call("GET", base + "iterator=msg_unknown", null),
        "[\"query\",\"iterator\"]",
        "iterator");
  }

  @Test
  void oversize_body_is_413_and_stores_nothing() throws Exception {
    String app = newApp();
    String big = "{\"eventType\":\"t\",\"payload\":{\"x\":\"" + "x".repeat(1_100_000) + "\"}}";
    TestHerald.Resp r =
        herald.call(
            "POST",
            "/api/v1/app/" + app + "/msg",
            big,
            Map.of("Authorization", "Bearer " + herald.orgToken(), "Expect", "100-continue"));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).contains("\"code\":\"payload_too_large\"");
    assertThat(count(app)).isZero();
  }
}
