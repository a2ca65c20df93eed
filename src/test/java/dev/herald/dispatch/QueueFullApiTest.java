package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.MessageIn;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A fan-out larger than the queue: the ids the queue refuses lose their queued mark at once (one
 * statement on PostgreSQL), so the sweeper hands them out as room frees, and every endpoint gets
 * the message once. Two worker slots, both held by the pullers while they wait, so that offered ids
 * go to the queue rather than straight to a free slot.
 */
class QueueFullApiTest {
  static final int ENDPOINTS = 12;
  static TestHerald herald;
  static Svix svix;
  static TestReceiver receiver;

  @BeforeAll
  static void start() {
    herald =
        TestHerald.start(Map.of("HERALD_QUEUE_CAPACITY", "2", "HERALD_WORKER_CONCURRENCY", "2"));
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

  @Test
  void a_fan_out_the_queue_refuses_in_part_still_reaches_every_endpoint() throws Exception {
    String app = svix.getApplication().create(new ApplicationIn().name("queue-full")).getId();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      String path = "/full-" + i + "-" + System.nanoTime();
      paths.add(path);
      svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url(path))));
    }
    svix.getMessage().create(app, new MessageIn().eventType("a.b").payload("{\"k\":1}"));

    for (String path : paths) {
      assertThat(DeliveryApiTest.awaitPathOf(receiver, path, 1)).as(path).isTrue();
    }
    Thread.sleep(500);
    for (String path : paths) {
      assertThat(receiver.count(path)).as(path).isEqualTo(1);
    }
  }
}
