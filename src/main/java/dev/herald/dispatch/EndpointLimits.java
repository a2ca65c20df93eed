package dev.herald.dispatch;

import com.github.benmanes.caffeine.cache.Cache;
import dev.herald.core.Caches;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-endpoint admission for the dispatcher: at most {@code concurrency} attempts in flight to one
 * endpoint, and at most {@code throttleRate} attempts per second when the endpoint sets one.
 *
 * <p>State per endpoint lives in a Caffeine cache bounded by {@link #MAX_ENDPOINTS} entries and
 * dropped after {@link #IDLE} without use; an entry evicted while attempts hold it only lets a few
 * more attempts through than the cap for a moment. A caller that finds no slot waits for one only
 * while fewer than {@code concurrency} callers already wait for that endpoint; past that it is told
 * to defer, so one slow endpoint holds at most twice its cap of the node's workers. Thread-safe.
 */
final class EndpointLimits {
  /** Endpoints tracked at once. */
  static final long MAX_ENDPOINTS = 100_000;

  /** An endpoint's state is dropped after this long without use. */
  static final Duration IDLE = Duration.ofMinutes(10);

  /** Longest wait for a concurrency slot before deferring. */
  static final Duration MAX_SLOT_WAIT = Duration.ofSeconds(10);

  /** Longest sleep for a rate-limit token; a longer wait is deferred through the database. */
  static final Duration MAX_RATE_SLEEP = Duration.ofSeconds(2);

  private final int concurrency;
  private final Cache<String, State> states;

  EndpointLimits(int concurrency) {
    this.concurrency = concurrency;
    this.states = Caches.newBuilder().maximumSize(MAX_ENDPOINTS).expireAfterAccess(IDLE).build();
  }

  /** Admission: either a permit to release after the attempt, or how long to defer. */
  sealed interface Admission {
    record Granted(Runnable release) implements Admission {}

    record Defer(Duration delay) implements Admission {}
  }

  /** Waits for a slot (bounded); {@code rate} is the endpoint's throttleRate or null. */
  Admission admit(String endpointId, Integer rate) throws InterruptedException {
    State s = states.get(endpointId, k -> new State(concurrency));
    if (rate != null && rate > 0) {
      long waitNanos = s.reserve(rate);
      if (waitNanos > MAX_RATE_SLEEP.toNanos()) {
        s.unreserve(rate);
        return new Admission.Defer(Duration.ofNanos(waitNanos));
      }
      if (waitNanos > 0) {
        TimeUnit.NANOSECONDS.sleep(waitNanos);
      }
    }
    if (!s.slots.tryAcquire()) {
      if (s.waiting.incrementAndGet() > concurrency) {
        s.waiting.decrementAndGet();
        return new Admission.Defer(Duration.ofSeconds(1));
      }
      try {
        if (!s.slots.tryAcquire(MAX_SLOT_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
          return new Admission.Defer(Duration.ofSeconds(1));
        }
      } finally {
        s.waiting.decrementAndGet();
      }
    }
    return new Admission.Granted(s.slots::release);
  }

  /** One endpoint: its slots, its waiters, and the next free time of its rate limit. */
  private static final class State {
    final Semaphore slots;
    final AtomicInteger waiting = new AtomicInteger();
    private long nextFreeNanos = System.nanoTime();

    State(int concurrency) {
      this.slots = new Semaphore(concurrency);
    }

    /** Reserves the next rate slot; returns how long until it comes. */
    synchronized long reserve(int rate) {
      long now = System.nanoTime();
      long interval = 1_000_000_000L / rate;
      long slot = Math.max(now, nextFreeNanos);
      nextFreeNanos = slot + interval;
      return slot - now;
    }

    synchronized void unreserve(int rate) {
      nextFreeNanos -= 1_000_000_000L / rate;
    }
  }
}
