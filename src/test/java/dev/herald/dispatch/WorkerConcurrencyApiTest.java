package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.MessageIn;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code worker_concurrency} bounds the attempts in flight on a node, whether an id reaches its
 * attempt through a puller or straight from the offer (the in-memory queue's direct start).
 */
class WorkerConcurrencyApiTest {
  static final int WORKERS = 3;
  static final int MESSAGES = 12;
  static final long HOLD_MS = 150;

  @Test
  void attempts_in_flight_never_exceed_the_worker_slots() throws Exception {
    AtomicInteger open = new AtomicInteger();
    AtomicInteger mostOpen = new AtomicInteger();
    try (TestHerald herald =
            TestHerald.start(Map.of("HERALD_WORKER_CONCURRENCY", Integer.toString(WORKERS)));
        LoopbackReceiver receiver =
            new LoopbackReceiver(
                ex -> {
                  mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                  try {
                    Thread.sleep(HOLD_MS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    open.decrementAndGet();
                  }
                  ex.sendResponseHeaders(200, -1);
                  ex.close();
                })) {
      Svix svix = herald.svix();
      String app = svix.getApplication().create(new ApplicationIn().name("workers")).getId();
      svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/held"))));
      for (int i = 0; i < MESSAGES; i++) {
        svix.getMessage()
            .create(app, new MessageIn().eventType("a.b").payload("{\"n\":" + i + "}"));
      }

      await().atMost(DeliveryApiTest.WAIT).until(() -> receiver.requests.size() >= MESSAGES);
      assertThat(receiver.requests).hasSize(MESSAGES);
      // Twelve messages sent at once to an endpoint that holds each request: more than one runs
      // at a time, and never more than the slots.
      assertThat(mostOpen.get()).isBetween(2, WORKERS);
    }
  }
}
