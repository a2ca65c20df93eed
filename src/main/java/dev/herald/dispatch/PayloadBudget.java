package dev.herald.dispatch;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bound on the payloads that delivery attempts hold in memory at once, counted in characters (a
 * payload costs about three times that while it is sent: the string, its UTF-8 bytes, the driver's
 * copy as it is read). Without it, {@code worker_concurrency} attempts of large payloads could hold
 * hundreds of megabytes. An attempt takes room before it loads its payload and gives it back once
 * its outcome is recorded; a payload larger than the whole budget takes all of it, so it still
 * goes, alone. Thread-safe; waiters are served in order.
 */
final class PayloadBudget {
  /** Granularity of the budget: one permit per KiB. */
  static final int UNIT = 1024;

  /** Smallest budget, so that a payload at the default body limit (1 MiB) has room with others. */
  static final long MIN_CHARS = 4L * 1024 * 1024;

  private final int total;
  private final Semaphore units;

  PayloadBudget(long chars) {
    this.total = (int) Math.max(1, Math.min(Integer.MAX_VALUE, chars / UNIT));
    this.units = new Semaphore(total, true);
  }

  /**
   * A thirty-second of the maximum heap, and at least 4 Mi. A payload of 1 MiB costs some 6 MiB of
   * heap while sent (three arrays of 1 MiB, each a humongous object that G1 rounds up to whole
   * regions), so this holds deliveries to about a fifth of the heap.
   */
  static PayloadBudget ofHeap() {
    return new PayloadBudget(Math.max(MIN_CHARS, Runtime.getRuntime().maxMemory() / 32));
  }

  /**
   * Takes room for a payload of {@code chars} characters, waiting at most {@code wait}. Returns
   * what gives it back (idempotent), or null when there was no room in time.
   */
  Runnable acquire(long chars, Duration wait) throws InterruptedException {
    int n = (int) Math.min(total, Math.max(1, (chars + UNIT - 1) / UNIT));
    if (!units.tryAcquire(n, wait.toMillis(), TimeUnit.MILLISECONDS)) {
      return null;
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        units.release(n);
      }
    };
  }

  /** Characters held now (rounded up to whole KiB per payload). */
  long inUse() {
    return (long) (total - units.availablePermits()) * UNIT;
  }
}
