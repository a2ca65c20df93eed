package dev.herald.ops;

import dev.herald.queue.DeliveryQueue;
import dev.herald.store.Store;
import dev.herald.web.Admission;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Meters read from other features at scrape time: admission control (in-flight body bytes, refusals
 * by reason), the queue's depth, PostgreSQL's batching, and the age of the most overdue pending
 * delivery (read from the database through the due-time index, at most every {@link
 * #DB_READ_EVERY}).
 */
public final class Gauges {
  /** The overdue age is read from the database at most this often. */
  static final Duration DB_READ_EVERY = Duration.ofSeconds(2);

  private Gauges() {}

  public static void register(
      MeterRegistry registry, Admission admission, DeliveryQueue queue, Store store, Clock clock) {
    Gauge.builder("herald.api.in.flight.body.bytes", admission, Admission::inFlightBodyBytes)
        .description("Request-body bytes being read or held now")
        .baseUnit("bytes")
        .register(registry);
    for (Admission.Reason reason : Admission.Reason.values()) {
      FunctionCounter.builder("herald.api.rejected.requests", admission, a -> a.refused(reason))
          .description("Requests refused by admission control, by reason")
          .tag("reason", reason.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    Gauge.builder("herald.queue.depth", queue, DeliveryQueue::depth)
        .description("Delivery ids waiting in the queue")
        .register(registry);
    if (store.writeCounts().isPresent()) {
      FunctionCounter.builder(
              "herald.store.write.units", store, s -> s.writeCounts().orElseThrow().units())
          .description("Units of write work run by the SQLite writer")
          .register(registry);
      FunctionCounter.builder(
              "herald.store.write.transactions",
              store,
              s -> s.writeCounts().orElseThrow().transactions())
          .description("Transactions the SQLite writer committed (units per transaction: batching)")
          .register(registry);
    }
    if (store.writeAheadLog().isPresent()) {
      Gauge.builder("herald.store.wal.bytes", store, s -> s.writeAheadLog().orElseThrow().bytes())
          .description("Size of SQLite's write-ahead log at its last checkpoint")
          .baseUnit("bytes")
          .register(registry);
      FunctionCounter.builder(
              "herald.store.wal.catchups", store, s -> s.writeAheadLog().orElseThrow().catchUps())
          .description("Checkpoints the SQLite writer ran to let a log past its limit start over")
          .register(registry);
      FunctionCounter.builder(
              "herald.store.wal.restarts.missed",
              store,
              s -> s.writeAheadLog().orElseThrow().missedRestarts())
          .description("Of those, the ones that readers kept from letting the log start over")
          .register(registry);
    }
    OverdueAge overdue = new OverdueAge(store, clock);
    Gauge.builder("herald.delivery.oldest.due.age", overdue, OverdueAge::seconds)
        .description("How long the most overdue pending delivery has been due (0: none)")
        .baseUnit("seconds")
        // Only the meter holds it: held weakly, it would be collected and read NaN ever after.
        .strongReference(true)
        .register(registry);
  }

  /**
   * PostgreSQL's shared statements ({@link dev.herald.store.Batcher}) of one {@code kind}: items
   * written, and the statements that wrote them (their ratio is the batch size), read from {@code
   * owner}, which must live as long as Herald (meters hold their object weakly). Nothing when the
   * counts are empty (SQLite).
   */
  public static <T> void batches(
      MeterRegistry registry,
      String kind,
      T owner,
      Function<T, Optional<Store.WriteCounts>> counts) {
    if (counts.apply(owner).isEmpty()) {
      return;
    }
    FunctionCounter.builder(
            "herald.store.batched.items", owner, o -> counts.apply(o).orElseThrow().units())
        .description("Writes that went through a shared statement (PostgreSQL), by kind")
        .tag("kind", kind)
        .register(registry);
    FunctionCounter.builder(
            "herald.store.batched.statements",
            owner,
            o -> counts.apply(o).orElseThrow().transactions())
        .description("Statements that wrote them (items per statement: batching)")
        .tag("kind", kind)
        .register(registry);
  }

  /** The age of the earliest due time among pending deliveries, cached briefly. */
  private static final class OverdueAge {
    private final Store store;
    private final Clock clock;
    private final AtomicLong readAt = new AtomicLong(Long.MIN_VALUE);
    private volatile double seconds;

    OverdueAge(Store store, Clock clock) {
      this.store = store;
      this.clock = clock;
    }

    double seconds() {
      long now = clock.millis();
      long last = readAt.get();
      if (now - last >= DB_READ_EVERY.toMillis() && readAt.compareAndSet(last, now)) {
        try {
          Long earliest =
              store.read(
                  tx ->
                      tx.one(
                              "SELECT MIN(next_attempt_at) FROM delivery"
                                  + " WHERE next_attempt_at IS NOT NULL",
                              rs -> {
                                long v = rs.getLong(1);
                                return rs.wasNull() ? null : v;
                              })
                          .orElse(null));
          seconds = earliest == null ? 0 : Math.max(0, now - earliest) / 1000.0;
        } catch (RuntimeException e) {
          // keep the last figure; the database's health is reported elsewhere
        }
      }
      return seconds;
    }
  }
}
