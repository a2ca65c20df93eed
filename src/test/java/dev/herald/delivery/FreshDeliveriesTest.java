package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreshDeliveriesTest {
  private static Delivery delivery(String id) {
    return new Delivery(id, "app_1", "msg_1", "ep_1", Status.PENDING, 0, 0, 1L, null, 1L, 1L);
  }

  @Test
  void aFreshDeliveryIsTakenOnceOnly() {
    FreshDeliveries fresh = new FreshDeliveries(Duration.ofMinutes(5));
    fresh.remember(List.of(delivery("dlv_a"), delivery("dlv_b")));

    assertThat(fresh.take("dlv_a")).contains(delivery("dlv_a"));
    assertThat(fresh.take("dlv_a")).isEmpty(); // a duplicate queue item goes through the claim
    assertThat(fresh.take("dlv_b")).contains(delivery("dlv_b"));
    assertThat(fresh.take("dlv_unknown")).isEmpty();
  }

  @Test
  void aDeliveryTheQueueRefusedIsForgotten() {
    FreshDeliveries fresh = new FreshDeliveries(Duration.ofMinutes(5));
    fresh.remember(List.of(delivery("dlv_a")));
    fresh.forget("dlv_a");
    assertThat(fresh.take("dlv_a")).isEmpty();
  }

  @Test
  void aQueueLeaseTooShortToOutliveTheEntriesTurnsItOff() {
    FreshDeliveries fresh = new FreshDeliveries(FreshDeliveries.KEPT_FOR);
    fresh.remember(List.of(delivery("dlv_a")));
    assertThat(fresh.take("dlv_a")).isEmpty();
  }
}
