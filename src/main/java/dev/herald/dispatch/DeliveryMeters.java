package dev.herald.dispatch;

import dev.herald.delivery.Delivery;
import dev.herald.delivery.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The dispatcher's meters: attempts by outcome, ended deliveries by how they ended, attempts in
 * flight, and two latency histograms measured from the moment the message was accepted (to the
 * first attempt of each scheduled delivery, and to each successful delivery). Thread-safe.
 */
final class DeliveryMeters {
  /** Histogram buckets of the delivery latencies. */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(20),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(30),
    Duration.ofMinutes(5),
    Duration.ofHours(1)
  };

  private final Timer toFirstAttempt;
  private final Timer toDelivered;
  private final Meter.MeterProvider<Counter> attempts;
  private final Meter.MeterProvider<Counter> ended;

  DeliveryMeters(MeterRegistry registry, IntSupplier inFlight) {
    this.toFirstAttempt =
        Timer.builder("herald.delivery.first.attempt.latency")
            .description("From accepting a message to the first attempt of each delivery")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    this.toDelivered =
        Timer.builder("herald.delivery.success.latency")
            .description("From accepting a message to its successful delivery to an endpoint")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    this.attempts =
        Counter.builder("herald.delivery.attempts")
            .description("Delivery attempts, by outcome (success, failure)")
            .withRegistry(registry);
    this.ended =
        Counter.builder("herald.deliveries.ended")
            .description("Deliveries that ended, by how: delivered, exhausted, endpoint_*, ...")
            .withRegistry(registry);
    Gauge.builder("herald.delivery.in.flight", inFlight, IntSupplier::getAsInt)
        .description("Delivery attempts in flight on this node")
        // Nothing else holds the supplier: a weakly held one would be collected, and the gauge
        // would read NaN ever after.
        .strongReference(true)
        .register(registry);
  }

  /** A delivery ended without an attempt. */
  void skipped(Outcome outcome) {
    ended.withTags("outcome", outcome.text()).increment();
  }

  /**
   * An attempt of {@code d} was recorded at {@code now}; it had started at {@code started}, for a
   * message accepted at {@code acceptedAt}. {@code last}: no further attempt is scheduled.
   */
  void attempted(
      Delivery d, boolean success, boolean last, long acceptedAt, long started, long now) {
    if (d.attempts() == 0 && d.triggerType() == Delivery.SCHEDULED) {
      toFirstAttempt.record(Math.max(0, started - acceptedAt), TimeUnit.MILLISECONDS);
    }
    attempts.withTags("outcome", success ? "success" : "failure").increment();
    if (success) {
      toDelivered.record(Math.max(0, now - acceptedAt), TimeUnit.MILLISECONDS);
      ended.withTags("outcome", Outcome.DELIVERED.text()).increment();
    } else if (last) {
      ended.withTags("outcome", Outcome.EXHAUSTED.text()).increment();
    }
  }
}
