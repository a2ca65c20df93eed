package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  static final List<Duration> SVIX =
      List.of(
          Duration.ofSeconds(5),
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(2),
          Duration.ofHours(5),
          Duration.ofHours(10),
          Duration.ofHours(10));

  @Test
  void failures_follow_the_schedule_then_stop() {
    RetryPolicy p = new RetryPolicy(SVIX, () -> 0.5);
    assertThat(p.maxAttempts()).isEqualTo(8);
    assertThat(p.delayAfter(1, false, null)).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.delayAfter(2, false, null)).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.delayAfter(7, false, null)).isEqualTo(Duration.ofHours(10));
    assertThat(p.delayAfter(8, false, null)).isNull();
  }

  @Test
  void jitter_stays_within_twenty_percent() {
    assertThat(new RetryPolicy(SVIX, () -> 0.0).delayAfter(2, false, null))
        .isEqualTo(Duration.ofMinutes(4));
    assertThat(new RetryPolicy(SVIX, () -> 0.999999).delayAfter(2, false, null))
        .isBetween(Duration.ofSeconds(359), Duration.ofMinutes(6));
  }

  @Test
  void timeouts_and_429_wait_at_least_a_minute() {
    RetryPolicy p = new RetryPolicy(SVIX, () -> 0.5);
    assertThat(p.delayAfter(1, true, null)).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.delayAfter(2, true, null)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void retry_after_is_honoured_between_one_and_two_times_the_schedule() {
    RetryPolicy p = new RetryPolicy(SVIX, () -> 0.5);
    assertThat(p.delayAfter(2, false, Duration.ofMinutes(7))).isEqualTo(Duration.ofMinutes(7));
    assertThat(p.delayAfter(2, false, Duration.ofSeconds(1))).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.delayAfter(2, false, Duration.ofHours(3))).isEqualTo(Duration.ofMinutes(10));
  }
}
