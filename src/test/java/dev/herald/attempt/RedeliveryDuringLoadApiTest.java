package dev.herald.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.MessageIn;
import com.svix.models.RecoverIn;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A manual resend and a recover in the middle of a load change no count but their own: every
 * message reaches each endpoint exactly once, except the resent one (one more at its endpoint) and
 * the recovered ones (one more at theirs).
 */
class RedeliveryDuringLoadApiTest {
  static final int MESSAGES = 200;
  static final int FAILING = 20;

  @Test
  void resend_and_recover_during_a_load_add_exactly_their_own_deliveries() throws Exception {
    try (TestHerald herald = TestHerald.start(Map.of("HERALD_RETRY_SCHEDULE", ""));
        TestReceiver receiver = new TestReceiver()) {
      // /b refuses the first FAILING messages it sees, once each: with no retries they end failed.
      Set<String> refused = ConcurrentHashMap.newKeySet();
      receiver.respond(
          r ->
              r.path().equals("/b") && refused.size() < FAILING && refused.add(r.header("svix-id"))
                  ? TestReceiver.Reply.status(500)
                  : TestReceiver.Reply.status(200));
      Svix svix = herald.svix();
      String app = svix.getApplication().create(new ApplicationIn().name("load")).getId();
      svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/a"))));
      String b =
          svix.getEndpoint()
              .create(app, new EndpointIn().url(URI.create(receiver.url("/b"))))
              .getId();
      OffsetDateTime start = OffsetDateTime.now().minusSeconds(5);
      List<String> ids = new ArrayList<>();
      String resent = null;
      for (int i = 0; i < MESSAGES; i++) {
        ids.add(
            svix.getMessage()
                .create(app, new MessageIn().eventType("load").payload("{\"i\":" + i + "}"))
                .getId());
        if (i == MESSAGES / 2) {
          // Mid-load: resend an early message to /a, and recover /b.
          resent = ids.get(0);
          awaitCount(receiver, "/a", 1);
          TestHerald.Resp r =
              herald.call(
                  "POST",
                  "/api/v1/app/"
                      + app
                      + "/msg/"
                      + resent
                      + "/endpoint/"
                      + endpointOf(svix, app, "/a", receiver)
                      + "/resend",
                  null);
          assertThat(r.status()).isEqualTo(202);
          awaitCount(receiver, "/b", FAILING);
          Thread.sleep(300);
          svix.getEndpoint().recover(app, b, new RecoverIn().since(start));
        }
      }
      int expected = MESSAGES * 2 + 1 + FAILING;
      assertThat(awaitCount(receiver, null, expected)).isEqualTo(expected);
      Thread.sleep(1000);
      assertThat(receiver.count()).isEqualTo(expected);

      Map<String, Long> counts =
          receiver.received().stream()
              .collect(
                  Collectors.groupingBy(
                      x -> x.path() + " " + x.header("svix-id"), Collectors.counting()));
      for (String id : ids) {
        long atA = counts.getOrDefault("/a " + id, 0L);
        long atB = counts.getOrDefault("/b " + id, 0L);
        assertThat(atA).as("/a " + id).isEqualTo(id.equals(resent) ? 2 : 1);
        assertThat(atB).as("/b " + id).isEqualTo(refused.contains(id) ? 2 : 1);
      }
      assertThat(refused).hasSize(FAILING);
    }
  }

  static String endpointOf(Svix svix, String app, String path, TestReceiver receiver)
      throws Exception {
    return svix.getEndpoint().list(app).getData().stream()
        .filter(e -> e.getUrl().toString().equals(receiver.url(path)))
        .findFirst()
        .orElseThrow()
        .getId();
  }

  static int awaitCount(TestReceiver r, String path, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while ((path == null ? r.count() : r.count(path)) < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return path == null ? r.count() : r.count(path);
  }
}
