package dev.herald.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamConsumerInfo;

/**
 * The queue contract, and what only the Redis queue does: claim back a dead consumer's entries,
 * survive its keys being deleted, share its bound between nodes. Each test has its own key prefix
 * and deletes its keys afterwards; nothing here flushes the shared Redis.
 */
class RedisStreamDeliveryQueueTest extends DeliveryQueueContract {
  static final String DSN = "redis://127.0.0.1:6379";
  static final Duration CLAIM_IDLE = Duration.ofMillis(200);

  String prefix;
  RedisClient admin;

  @BeforeEach
  void prefix() {
    TestHerald.assumeRedis();
    byte[] random = new byte[6];
    ThreadLocalRandom.current().nextBytes(random);
    prefix = "herald-test-" + HexFormat.of().formatHex(random) + ":";
    admin = RedisClient.create(DSN);
  }

  @AfterEach
  void deleteKeys() {
    closeQueues();
    if (admin != null) {
      Set<String> keys = admin.keys(prefix + "*");
      if (!keys.isEmpty()) {
        admin.del(keys.toArray(String[]::new));
      }
      admin.close();
    }
  }

  @Override
  DeliveryQueue create(int capacity) {
    return new RedisStreamDeliveryQueue(
        DSN, prefix, RedisStreamDeliveryQueue.newConsumerName(), capacity, CLAIM_IDLE);
  }

  RedisStreamDeliveryQueue node(String consumer, int capacity) {
    var queue = new RedisStreamDeliveryQueue(DSN, prefix, consumer, capacity, CLAIM_IDLE);
    track(queue);
    return queue;
  }

  String stream() {
    return prefix + "deliveries";
  }

  @Test
  void offered_ids_go_to_the_stream_even_with_a_starter_registered() throws Exception {
    // The stream's items are for whichever node reads them first, not for the node that offers.
    DeliveryQueue queue = queue(10);
    List<String> asked = new ArrayList<>();
    queue.startDirectly(asked::add);

    assertThat(queue.offer("dlv_shared")).isTrue();

    assertThat(asked).isEmpty();
    assertThat(takeAndAck(queue)).isEqualTo("dlv_shared");
  }

  @Test
  void entry_a_consumer_took_but_never_acked_is_claimed_by_another_after_claim_idle()
      throws Exception {
    RedisStreamDeliveryQueue crashed = node("crashed", 10);
    RedisStreamDeliveryQueue survivor = node("survivor", 10);
    crashed.offer("dlv_orphan");
    DeliveryQueue.Item lost = crashed.take(WAIT);
    assertThat(lost.deliveryId()).isEqualTo("dlv_orphan");

    assertThat(survivor.take(Duration.ofMillis(50))).as("not idle long enough yet").isNull();
    Thread.sleep(CLAIM_IDLE.toMillis() + 100);
    DeliveryQueue.Item claimed = survivor.take(WAIT);

    assertThat(claimed).isEqualTo(lost);
    assertThat(admin.xpending(stream(), RedisStreamDeliveryQueue.GROUP).getTotal()).isEqualTo(1);
    survivor.ack(claimed);
    eventually(() -> assertThat(survivor.depth()).isZero());
    assertThat(admin.xpending(stream(), RedisStreamDeliveryQueue.GROUP).getTotal()).isZero();
  }

  @Test
  void entries_read_ahead_are_served_in_order_and_claimed_by_another_if_their_node_dies()
      throws Exception {
    RedisStreamDeliveryQueue reader = node("reader", 100);
    RedisStreamDeliveryQueue other = node("other", 100);
    List<String> ids = List.of("dlv_1", "dlv_2", "dlv_3", "dlv_4", "dlv_5");
    assertThat(reader.offerAll(ids)).isEqualTo(ids.size());

    // One read took all five: the reader serves them, and the other node sees none of them.
    assertThat(reader.take(WAIT).deliveryId()).isEqualTo("dlv_1");
    assertThat(reader.take(WAIT).deliveryId()).isEqualTo("dlv_2");
    assertThat(admin.xpending(stream(), RedisStreamDeliveryQueue.GROUP).getTotal()).isEqualTo(5);
    assertThat(other.take(Duration.ofMillis(50))).isNull();

    // The reader dies holding three read-ahead entries: another node claims them.
    Thread.sleep(CLAIM_IDLE.toMillis() + 100);
    List<String> claimed = new java.util.ArrayList<>();
    long until = System.nanoTime() + WAIT.toNanos();
    while (claimed.size() < 4 && System.nanoTime() < until) {
      DeliveryQueue.Item item = other.take(Duration.ofMillis(100));
      if (item != null) {
        claimed.add(item.deliveryId());
        other.ack(item);
      }
    }
    // dlv_1 and dlv_2 were taken but not acked either: all four others come back, in order.
    assertThat(claimed).containsExactly("dlv_1", "dlv_2", "dlv_3", "dlv_4");
    assertThat(other.take(WAIT).deliveryId()).isEqualTo("dlv_5");
  }

  @Test
  void entries_left_too_long_in_the_read_ahead_buffer_come_back_once_by_claim() throws Exception {
    RedisStreamDeliveryQueue slow = node("slow", 100);
    assertThat(slow.offerAll(List.of("dlv_1", "dlv_2", "dlv_3"))).isEqualTo(3);
    DeliveryQueue.Item first = slow.take(WAIT);
    assertThat(first.deliveryId()).isEqualTo("dlv_1");
    slow.ack(first);

    // dlv_2 and dlv_3 wait in the buffer past claimIdle: the claim hands them out again, so the
    // buffered copies must not be served as well.
    Thread.sleep(CLAIM_IDLE.toMillis() + 100);
    List<String> served = new ArrayList<>();
    long until = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < until) {
      DeliveryQueue.Item item = slow.take(Duration.ofMillis(300));
      if (item == null && served.size() >= 2) {
        break;
      }
      if (item != null) {
        served.add(item.deliveryId());
        slow.ack(item);
      }
    }
    assertThat(served).containsExactly("dlv_2", "dlv_3");
  }

  @Test
  void concurrent_fan_outs_each_learn_how_many_of_their_own_ids_went_in() throws Exception {
    int callers = 32;
    int each = 10;
    int capacity = 150;
    RedisStreamDeliveryQueue queue = node("offers", capacity);
    List<Future<Integer>> taken = new ArrayList<>();
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(callers);
    try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
      for (int c = 0; c < callers; c++) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < each; i++) {
          ids.add("dlv_" + c + "_" + i);
        }
        taken.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return queue.offerAll(ids);
                }));
      }
      int total = 0;
      List<String> expected = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        int n = taken.get(c).get(10, TimeUnit.SECONDS);
        total += n;
        for (int i = 0; i < n; i++) {
          expected.add("dlv_" + c + "_" + i);
        }
      }
      assertThat(total).isEqualTo(capacity);
      // Exactly the first n ids of each caller went in: what each was told is what happened.
      List<String> stored =
          admin.xrange(stream(), (StreamEntryID) null, (StreamEntryID) null).stream()
              .map(e -> e.getFields().get(RedisStreamDeliveryQueue.FIELD))
              .toList();
      assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void acks_sent_in_batches_all_take_effect() throws Exception {
    DeliveryQueue queue = queue(1000);
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 600; i++) {
      ids.add("dlv_" + i);
    }
    assertThat(queue.offerAll(ids)).isEqualTo(600);
    for (int i = 0; i < 600; i++) {
      assertThat(takeAndAck(queue)).isEqualTo("dlv_" + i);
    }
    eventually(() -> assertThat(queue.depth()).isZero());
    assertThat(admin.xpending(stream(), RedisStreamDeliveryQueue.GROUP).getTotal()).isZero();
  }

  @Test
  void deleted_stream_and_group_are_recreated_and_the_queue_keeps_working() throws Exception {
    DeliveryQueue queue = queue(10);
    queue.offer("dlv_before");
    assertThat(takeAndAck(queue)).isEqualTo("dlv_before");
    // Acks are sent by the acking thread. One still queued when the stream is deleted could
    // remove the recreated stream's first entry: a new stream numbers its entries from the
    // current millisecond, so within the same millisecond it reuses the acked entry's id.
    eventually(() -> assertThat(queue.depth()).isZero());

    admin.del(stream());
    assertThat(queue.take(Duration.ofMillis(100))).isNull();
    assertThat(queue.offer("dlv_after_take")).isTrue();
    assertThat(takeAndAck(queue)).isEqualTo("dlv_after_take");
    eventually(() -> assertThat(queue.depth()).isZero());

    admin.del(stream());
    assertThat(queue.offer("dlv_after_offer")).isTrue();
    assertThat(takeAndAck(queue)).isEqualTo("dlv_after_offer");
    eventually(() -> assertThat(queue.depth()).isZero());
  }

  @Test
  void blocked_take_resumes_after_its_stream_is_deleted() throws Exception {
    DeliveryQueue queue = queue(10);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<DeliveryQueue.Item> taken = pool.submit(() -> queue.take(Duration.ofSeconds(4)));
      Thread.sleep(300);
      admin.del(stream());
      Thread.sleep(100);
      assertThat(queue.offer("dlv_after_flush")).isTrue();

      assertThat(taken.get(6, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void takers_blocked_on_every_read_connection_do_not_starve_offers() throws Exception {
    DeliveryQueue queue = queue(10);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<DeliveryQueue.Item>> takers = new ArrayList<>();
      for (int i = 0; i < RedisStreamDeliveryQueue.BLOCKING_CONNECTIONS; i++) {
        takers.add(
            pool.submit(
                () -> {
                  DeliveryQueue.Item item = queue.take(Duration.ofSeconds(3));
                  if (item != null) {
                    queue.ack(item); // else it would be claimed again after CLAIM_IDLE
                  }
                  return item;
                }));
      }
      Thread.sleep(300);

      long start = System.nanoTime();
      assertThat(queue.offer("dlv_during_reads")).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(500);

      List<String> got = new ArrayList<>();
      for (Future<DeliveryQueue.Item> taker : takers) {
        DeliveryQueue.Item item = taker.get(6, TimeUnit.SECONDS);
        if (item != null) {
          got.add(item.deliveryId());
        }
      }
      assertThat(got).containsExactly("dlv_during_reads");
    }
  }

  @Test
  void capacity_bounds_the_stream_across_nodes() {
    RedisStreamDeliveryQueue first = node("first", 2);
    RedisStreamDeliveryQueue second = node("second", 2);
    assertThat(first.offer("dlv_1")).isTrue();
    assertThat(first.offer("dlv_2")).isTrue();

    assertThat(second.offer("dlv_3")).isFalse();
    assertThat(second.freeCapacity()).isZero();
    assertThat(admin.xlen(stream())).isEqualTo(2);
  }

  @Test
  void close_removes_the_consumer_only_when_it_holds_nothing_pending() throws Exception {
    RedisStreamDeliveryQueue done = node("done", 10);
    RedisStreamDeliveryQueue busy = node("busy", 10);
    done.offer("dlv_1");
    takeAndAck(done);
    busy.offer("dlv_2");
    assertThat(busy.take(WAIT)).isNotNull();
    assertThat(consumers()).containsExactlyInAnyOrder("done", "busy");

    done.close();
    busy.close();

    assertThat(consumers()).containsExactly("busy");
  }

  List<String> consumers() {
    return admin.xinfoConsumers2(stream(), RedisStreamDeliveryQueue.GROUP).stream()
        .map(StreamConsumerInfo::getName)
        .toList();
  }
}
