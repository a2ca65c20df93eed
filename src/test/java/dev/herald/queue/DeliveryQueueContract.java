package dev.herald.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DeliveryQueue} must do, run against each implementation by a subclass. Every
 * wait has a deadline, so a broken queue fails the test instead of hanging it.
 */
abstract class DeliveryQueueContract {
  static final Duration WAIT = Duration.ofSeconds(2);

  private final List<DeliveryQueue> opened = new ArrayList<>();

  /** A fresh, empty queue of this implementation. */
  abstract DeliveryQueue create(int capacity);

  DeliveryQueue queue(int capacity) {
    return track(create(capacity));
  }

  /** Closes {@code queue} after the test. */
  <Q extends DeliveryQueue> Q track(Q queue) {
    opened.add(queue);
    return queue;
  }

  @AfterEach
  void closeQueues() {
    // Closing twice must be harmless: a test may close a queue itself.
    opened.forEach(DeliveryQueue::close);
    opened.clear();
  }

  /**
   * Asserts {@code check} within {@link #WAIT}: an ack may take effect a moment later (the Redis
   * queue sends acks in batches from a thread of its own).
   */
  static void eventually(Runnable check) throws InterruptedException {
    long until = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() - until > 0) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
  }

  /** Takes and acks one item, failing when none comes within {@link #WAIT}. */
  static String takeAndAck(DeliveryQueue queue) throws InterruptedException {
    DeliveryQueue.Item item = queue.take(WAIT);
    assertThat(item).as("an item within %s", WAIT).isNotNull();
    queue.ack(item);
    return item.deliveryId();
  }

  @Test
  void offered_ids_come_out_in_the_order_they_went_in() throws Exception {
    DeliveryQueue queue = queue(10);
    for (String id : List.of("dlv_a", "dlv_b", "dlv_c")) {
      assertThat(queue.offer(id)).isTrue();
    }

    List<String> taken = List.of(takeAndAck(queue), takeAndAck(queue), takeAndAck(queue));

    assertThat(taken).containsExactly("dlv_a", "dlv_b", "dlv_c");
    eventually(() -> assertThat(queue.depth()).isZero());
  }

  @Test
  void take_returns_null_once_its_timeout_passes_with_nothing_offered() throws Exception {
    DeliveryQueue queue = queue(10);

    long start = System.nanoTime();
    DeliveryQueue.Item item = queue.take(Duration.ofMillis(300));
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(item).isNull();
    assertThat(elapsedMillis).isBetween(250L, 2_000L);
    assertThat(queue.take(Duration.ZERO)).isNull();
  }

  @Test
  void take_waits_for_an_id_offered_while_it_waits() throws Exception {
    DeliveryQueue queue = queue(10);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<DeliveryQueue.Item> taken = pool.submit(() -> queue.take(Duration.ofSeconds(3)));
      Thread.sleep(200);
      assertThat(queue.offer("dlv_late")).isTrue();

      assertThat(taken.get(5, TimeUnit.SECONDS).deliveryId()).isEqualTo("dlv_late");
    }
  }

  @Test
  void full_queue_refuses_offers_until_an_item_is_acked() throws Exception {
    DeliveryQueue queue = queue(2);
    assertThat(queue.offer("dlv_1")).isTrue();
    assertThat(queue.offer("dlv_2")).isTrue();

    assertThat(queue.offer("dlv_3")).isFalse();
    assertThat(queue.depth()).isEqualTo(2);
    assertThat(queue.freeCapacity()).isZero();

    assertThat(takeAndAck(queue)).isEqualTo("dlv_1");
    eventually(() -> assertThat(queue.freeCapacity()).isEqualTo(1));
    assertThat(queue.offer("dlv_4")).isTrue();
    assertThat(List.of(takeAndAck(queue), takeAndAck(queue))).containsExactly("dlv_2", "dlv_4");
  }

  @Test
  void offer_all_takes_ids_in_order_until_full() throws Exception {
    DeliveryQueue queue = queue(3);
    assertThat(queue.offer("dlv_0")).isTrue();

    assertThat(queue.offerAll(List.of("dlv_1", "dlv_2", "dlv_3", "dlv_4"))).isEqualTo(2);
    assertThat(queue.depth()).isEqualTo(3);
    assertThat(queue.offerAll(List.of("dlv_5"))).isZero();

    List<String> taken = List.of(takeAndAck(queue), takeAndAck(queue), takeAndAck(queue));
    assertThat(taken).containsExactly("dlv_0", "dlv_1", "dlv_2");
    eventually(() -> assertThat(queue.offerAll(List.of("dlv_6", "dlv_7"))).isEqualTo(2));
  }

  @Test
  void depth_and_free_capacity_count_the_waiting_items() throws Exception {
    DeliveryQueue queue = queue(5);
    assertThat(queue.depth()).isZero();
    assertThat(queue.freeCapacity()).isEqualTo(5);

    queue.offer("dlv_1");
    queue.offer("dlv_2");
    queue.offer("dlv_3");

    assertThat(queue.depth()).isEqualTo(3);
    assertThat(queue.freeCapacity()).isEqualTo(2);
  }

  @Test
  void interrupted_take_throws_interrupted_exception() throws Exception {
    DeliveryQueue queue = queue(5);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(1);
    Thread taker =
        Thread.ofVirtual()
            .start(
                () -> {
                  started.countDown();
                  try {
                    queue.take(Duration.ofSeconds(10));
                  } catch (Throwable e) {
                    thrown.set(e);
                  }
                });
    assertThat(started.await(2, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(200);

    taker.interrupt();

    assertThat(taker.join(Duration.ofSeconds(5))).as("taker ended").isTrue();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
  }

  @Test
  void concurrent_producers_and_consumers_see_every_id_exactly_once() throws Exception {
    int producers = 4;
    int perProducer = 250;
    int total = producers * perProducer;
    DeliveryQueue queue = queue(total);
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    AtomicInteger received = new AtomicInteger();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);

    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> tasks = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        tasks.add(
            pool.submit(
                () -> {
                  while (received.get() < total && System.nanoTime() < deadline) {
                    DeliveryQueue.Item item = queue.take(Duration.ofMillis(200));
                    if (item != null) {
                      seen.computeIfAbsent(item.deliveryId(), k -> new AtomicInteger())
                          .incrementAndGet();
                      queue.ack(item);
                      received.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (int p = 0; p < producers; p++) {
        int producer = p;
        tasks.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perProducer; i++) {
                    assertThat(queue.offer("dlv_" + producer + "_" + i)).isTrue();
                  }
                  return null;
                }));
      }
      for (Future<?> task : tasks) {
        task.get(40, TimeUnit.SECONDS);
      }
    }

    assertThat(seen).hasSize(total);
    assertThat(seen.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    eventually(() -> assertThat(queue.depth()).isZero());
  }
}
