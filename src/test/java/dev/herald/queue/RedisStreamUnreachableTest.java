package dev.herald.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** With Redis unreachable, the queue refuses and waits; it never throws at its callers. */
class RedisStreamUnreachableTest {
  static final String CLOSED_PORT = "redis://127.0.0.1:1";

  @Test
  void unreachable_redis_refuses_offers_and_takes_nothing_without_throwing() throws Exception {
    try (var queue =
        new RedisStreamDeliveryQueue(
            CLOSED_PORT, "herald-test-down:", "nobody", 10, Duration.ofSeconds(1))) {
      long start = System.nanoTime();
      assertThat(queue.offer("dlv_1")).isFalse();
      assertThat(queue.offer("dlv_2")).isFalse();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);

      start = System.nanoTime();
      assertThat(queue.take(Duration.ofMillis(300))).isNull();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 2_000L);

      assertThat(queue.depth()).isZero();
      assertThat(queue.freeCapacity()).isZero();
      assertThatCode(() -> queue.ack(new DeliveryQueue.Item("dlv_1", "1-0")))
          .doesNotThrowAnyException();
    }
  }

  @Test
  void a_dsn_that_is_not_redis_fails_at_construction() {
    assertThatCode(
            () ->
                new RedisStreamDeliveryQueue(
                    "http://127.0.0.1:6379", "p:", "c", 10, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatCode(
            () ->
                new RedisStreamDeliveryQueue(
                    "redis://127.0.0.1:6379", "p:", "c", 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
