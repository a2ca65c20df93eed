package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.MessageIn;
import com.svix.models.MessageOut;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The same deliveries through the Redis Streams queue: signed, retried, every one arrives. */
class RedisQueueDeliveryApiTest {
  @Test
  void deliveries_go_through_redis_streams_signed_and_retried() throws Exception {
    TestHerald.assumeRedis();
    String prefix = "herald-test-" + System.nanoTime() + ":";
    try (TestHerald herald =
            TestHerald.start(
                Map.of(
                    "HERALD_QUEUE_TYPE", "redis",
                    "HERALD_REDIS_DSN", "redis://127.0.0.1:6379",
                    "HERALD_REDIS_PREFIX", prefix,
                    "HERALD_RETRY_SCHEDULE", "1,1"));
        TestReceiver receiver = new TestReceiver();
        RedisClient redis = RedisClient.create("redis://127.0.0.1:6379")) {
      AtomicInteger flaky = new AtomicInteger();
      receiver.respond(
          r ->
              r.path().equals("/flaky") && flaky.incrementAndGet() == 1
                  ? TestReceiver.Reply.status(500)
                  : TestReceiver.Reply.status(200));
      Svix svix = herald.svix();
      String app = svix.getApplication().create(new ApplicationIn().name("redis")).getId();
      EndpointOut ok =
          svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/ok"))));
      svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/flaky"))));
      MessageOut first =
          svix.getMessage().create(app, new MessageIn().eventType("t").payload("{\"n\":1}"));
      for (int i = 0; i < 49; i++) {
        svix.getMessage().create(app, new MessageIn().eventType("t").payload("{\"n\":2}"));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while ((receiver.count("/ok") < 50 || receiver.count("/flaky") < 51)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(receiver.count("/ok")).isEqualTo(50);
      assertThat(receiver.count("/flaky")).isEqualTo(51);
      TestReceiver.Received r =
          receiver.received().stream()
              .filter(x -> x.path().equals("/ok") && first.getId().equals(x.header("svix-id")))
              .findFirst()
              .orElseThrow();
      String secret = svix.getEndpoint().getSecret(app, ok.getId()).getKey();
      new com.svix.Webhook(secret).verify(r.body(), r.headers());
      assertThat(r.body()).isEqualTo("{\"n\":1}");
    } finally {
      try (RedisClient redis = RedisClient.create("redis://127.0.0.1:6379")) {
        Set<String> keys = redis.keys(prefix + "*");
        if (!keys.isEmpty()) {
          redis.del(keys.toArray(String[]::new));
        }
      }
    }
  }
}
