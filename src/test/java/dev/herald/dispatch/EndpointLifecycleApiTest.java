package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.MessageIn;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Endpoints that keep failing are disabled, by Svix's rule, and the state is in the database. */
class EndpointLifecycleApiTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  static boolean disabledWithin(Svix svix, String app, String ep, Duration within)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (Boolean.TRUE.equals(svix.getEndpoint().get(app, ep).getDisabled())) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  static int awaitCount(TestReceiver r, String path, int n) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (r.count(path) < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return r.count(path);
  }

  @Test
  void endpoint_failing_past_the_disable_window_is_disabled() throws Exception {
    try (TestHerald herald =
            TestHerald.start(
                Map.of(
                    "HERALD_RETRY_SCHEDULE", "",
                    "HERALD_ENDPOINT_DISABLE_AFTER_SECONDS", "1"));
        TestReceiver receiver = new TestReceiver()) {
      receiver.respond(r -> TestReceiver.Reply.status(500));
      Svix svix = herald.svix();
      String app = svix.getApplication().create(new ApplicationIn().name("lifecycle")).getId();
      EndpointOut ep =
          svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/dying"))));
      svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}"));
      assertThat(awaitCount(receiver, "/dying", 1)).isEqualTo(1);
      // One exhausted message starts the streak; it does not disable.
      Thread.sleep(300);
      assertThat(svix.getEndpoint().get(app, ep.getId()).getDisabled()).isFalse();
      Thread.sleep(1200);
      svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}"));
      assertThat(awaitCount(receiver, "/dying", 2)).isEqualTo(2);
      assertThat(disabledWithin(svix, app, ep.getId(), WAIT)).isTrue();
      // A disabled endpoint gets nothing more.
      svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}"));
      Thread.sleep(700);
      assertThat(receiver.count("/dying")).isEqualTo(2);
    }
  }

  @Test
  void a_success_between_failures_resets_the_streak() throws Exception {
    try (TestHerald herald =
            TestHerald.start(
                Map.of(
                    "HERALD_RETRY_SCHEDULE", "",
                    "HERALD_ENDPOINT_DISABLE_AFTER_SECONDS", "1"));
        TestReceiver receiver = new TestReceiver()) {
      java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
      // fail, succeed, fail: never two exhaustions in one streak.
      receiver.respond(r -> TestReceiver.Reply.status(n.incrementAndGet() == 2 ? 200 : 500));
      Svix svix = herald.svix();
      String app = svix.getApplication().create(new ApplicationIn().name("lifecycle")).getId();
      EndpointOut ep =
          svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/wobbly"))));
      for (int i = 1; i <= 3; i++) {
        svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}"));
        assertThat(awaitCount(receiver, "/wobbly", i)).isEqualTo(i);
        Thread.sleep(700);
      }
      assertThat(svix.getEndpoint().get(app, ep.getId()).getDisabled()).isFalse();
    }
  }

  @Test
  void an_endpoint_answering_410_gone_is_disabled_at_once() throws Exception {
    try (TestHerald herald = TestHerald.start(Map.of("HERALD_RETRY_SCHEDULE", "1,1,1"));
        TestReceiver receiver = new TestReceiver()) {
      receiver.respond(r -> TestReceiver.Reply.status(410));
      Svix svix = herald.svix();
      String app = svix.getApplication().create(new ApplicationIn().name("gone")).getId();
      EndpointOut ep =
          svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/gone"))));
      svix.getMessage().create(app, new MessageIn().eventType("t").payload("{}"));
      assertThat(disabledWithin(svix, app, ep.getId(), WAIT)).isTrue();
      // The pending retry of that delivery is skipped: no second request.
      Thread.sleep(1500);
      assertThat(receiver.count("/gone")).isEqualTo(1);
    }
  }
}
