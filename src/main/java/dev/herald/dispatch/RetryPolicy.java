package dev.herald.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * When to try a failed delivery again. The n-th failure waits the n-th delay of the schedule
 * (Svix's default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), varied by up to {@link #JITTER}
 * either way so that a burst of failures does not retry in lockstep. A timeout or a 429 waits at
 * least {@link #THROTTLED_MINIMUM}. A {@code Retry-After} from the endpoint is honoured within [1×,
 * 2×] of the scheduled delay. Past the schedule's end there is no retry. Thread-safe when its
 * random source is.
 */
public final class RetryPolicy {
  /** Largest relative change jitter makes to a delay. */
  public static final double JITTER = 0.20;

  /** Least wait after a timeout or a 429. */
  public static final Duration THROTTLED_MINIMUM = Duration.ofSeconds(60);

  private final List<Duration> schedule;
  private final DoubleSupplier random;

  /**
   * @param random uniform doubles in [0, 1); tests pass a fixed one
   */
  public RetryPolicy(List<Duration> schedule, DoubleSupplier random) {
    this.schedule = List.copyOf(schedule);
    this.random = random;
  }

  /** How many attempts a delivery gets in all: the first and one per scheduled retry. */
  public int maxAttempts() {
    return schedule.size() + 1;
  }

  /**
   * The wait before the next attempt after {@code failures} failed attempts, or null when the
   * schedule is exhausted.
   *
   * @param throttled the last attempt timed out or got a 429
   * @param retryAfter the endpoint's {@code Retry-After}, or null
   */
  public Duration delayAfter(int failures, boolean throttled, Duration retryAfter) {
    if (failures < 1 || failures > schedule.size()) {
      return null;
    }
    Duration scheduled = schedule.get(failures - 1);
    double factor = 1 + JITTER * (2 * random.getAsDouble() - 1);
    Duration delay = Duration.ofMillis(Math.round(scheduled.toMillis() * factor));
    if (throttled && delay.compareTo(THROTTLED_MINIMUM) < 0) {
      delay = THROTTLED_MINIMUM;
    }
    if (retryAfter != null && !retryAfter.isNegative()) {
      Duration low = delay;
      Duration high = delay.multipliedBy(2);
      delay =
          retryAfter.compareTo(low) < 0 ? low : retryAfter.compareTo(high) > 0 ? high : retryAfter;
    }
    return delay;
  }
}
