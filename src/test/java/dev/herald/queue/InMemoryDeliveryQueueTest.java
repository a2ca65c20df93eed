package dev.herald.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The queue contract for the in-process queue, and its direct path to a starter. */
class InMemoryDeliveryQueueTest extends DeliveryQueueContract {
  @Override
  DeliveryQueue create(int capacity) {
    return new InMemoryDeliveryQueue(capacity);
  }

  @Test
  void a_starter_that_takes_an_id_keeps_it_out_of_the_queue() throws Exception {
    DeliveryQueue queue = queue(1);
    List<String> started = new ArrayList<>();
    queue.startDirectly(started::add);

    // Past the capacity of 1: the queue never holds these ids.
    assertThat(queue.offerAll(List.of("dlv_a", "dlv_b", "dlv_c"))).isEqualTo(3);

    assertThat(started).containsExactly("dlv_a", "dlv_b", "dlv_c");
    assertThat(queue.depth()).isZero();
    assertThat(queue.take(Duration.ofMillis(20))).isNull();
  }

  @Test
  void an_id_the_starter_declines_is_queued_and_later_ids_queue_behind_it() throws Exception {
    DeliveryQueue queue = queue(10);
    List<String> asked = new ArrayList<>();
    queue.startDirectly(
        id -> {
          asked.add(id);
          return false;
        });

    assertThat(queue.offerAll(List.of("dlv_a", "dlv_b"))).isEqualTo(2);

    // Once one id waits, the next ones queue behind it in order: the starter is not asked again.
    assertThat(asked).containsExactly("dlv_a");
    assertThat(takeAndAck(queue)).isEqualTo("dlv_a");
    assertThat(takeAndAck(queue)).isEqualTo("dlv_b");
  }

  @Test
  void a_starter_declining_while_the_queue_is_full_leaves_the_id_refused() {
    DeliveryQueue queue = queue(1);
    queue.startDirectly(id -> false);

    assertThat(queue.offer("dlv_a")).isTrue();
    assertThat(queue.offer("dlv_b")).isFalse();
    assertThat(queue.depth()).isEqualTo(1);
  }
}
