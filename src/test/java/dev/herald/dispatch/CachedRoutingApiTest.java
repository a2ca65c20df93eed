package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.exceptions.ApiException;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.EndpointPatch;
import com.svix.models.MessageIn;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Applications and endpoint lists are cached for the message path; a change made through the API
 * must route the very next message (the cache entry is dropped when the change commits), not one
 * sent after the cache's expiry.
 */
class CachedRoutingApiTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** How long a message that must not arrive is given to arrive anyway. */
  static final long QUIET_MS = 500;

  static TestHerald herald;
  static Svix svix;
  static TestReceiver receiver;

  @BeforeAll
  static void start() {
    herald = TestHerald.start(Map.of());
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

  static String path(String base) {
    return "/" + base + "-" + System.nanoTime();
  }

  static String app() throws Exception {
    return svix.getApplication().create(new ApplicationIn().name("cached")).getId();
  }

  static EndpointOut endpoint(String app, String path) throws Exception {
    return svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url(path))));
  }

  static String send(String app, String eventType) throws Exception {
    return svix.getMessage()
        .create(app, new MessageIn().eventType(eventType).payload("{\"k\":\"v\"}"))
        .getId();
  }

  static void awaitAt(String path, int n) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (receiver.count(path) < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(receiver.count(path)).as("deliveries at %s", path).isEqualTo(n);
  }

  static List<String> idsAt(String path) {
    return receiver.received().stream()
        .filter(r -> r.path().equals(path))
        .map(r -> r.header("svix-id"))
        .toList();
  }

  @Test
  void a_new_url_takes_the_very_next_message() throws Exception {
    String app = app();
    String before = path("before");
    String after = path("after");
    EndpointOut ep = endpoint(app, before);
    String first = send(app, "a.b");
    awaitAt(before, 1);

    svix.getEndpoint()
        .patch(app, ep.getId(), new EndpointPatch().url(URI.create(receiver.url(after))));
    String second = send(app, "a.b");
    awaitAt(after, 1);
    Thread.sleep(QUIET_MS);

    assertThat(idsAt(before)).containsExactly(first);
    assertThat(idsAt(after)).containsExactly(second);
  }

  @Test
  void a_new_endpoint_and_a_new_filter_take_the_very_next_message() throws Exception {
    String app = app();
    String first = path("first");
    String second = path("second");
    EndpointOut one = endpoint(app, first);
    send(app, "warm.cache"); // fills the cache with the one endpoint
    awaitAt(first, 1);

    endpoint(app, second);
    svix.getEndpoint()
        .patch(app, one.getId(), new EndpointPatch().filterTypes(java.util.Set.of("only.this")));
    String msg = send(app, "something.else");
    awaitAt(second, 1);
    Thread.sleep(QUIET_MS);

    assertThat(idsAt(second)).containsExactly(msg);
    assertThat(receiver.count(first)).isEqualTo(1);
  }

  @Test
  void a_disabled_or_deleted_endpoint_gets_nothing_from_the_very_next_message() throws Exception {
    String app = app();
    String disabled = path("disabled");
    String deleted = path("deleted");
    String kept = path("kept");
    EndpointOut d = endpoint(app, disabled);
    EndpointOut x = endpoint(app, deleted);
    endpoint(app, kept);
    send(app, "warm.cache");
    awaitAt(disabled, 1);
    awaitAt(deleted, 1);
    awaitAt(kept, 1);

    svix.getEndpoint().patch(app, d.getId(), new EndpointPatch().disabled(true));
    svix.getEndpoint().delete(app, x.getId());
    String msg = send(app, "after.change");
    awaitAt(kept, 2);
    Thread.sleep(QUIET_MS);

    assertThat(idsAt(kept)).endsWith(msg);
    assertThat(receiver.count(disabled)).isEqualTo(1);
    assertThat(receiver.count(deleted)).isEqualTo(1);
  }

  @Test
  void a_deleted_application_takes_no_more_messages() throws Exception {
    String app = app();
    send(app, "warm.cache"); // the application is cached now
    svix.getApplication().delete(app);

    assertThatThrownBy(() -> send(app, "after.delete"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }
}
