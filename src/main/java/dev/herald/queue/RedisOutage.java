package dev.herald.queue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * What one Redis client knows about its server being unreachable: after a connection failure,
 * callers fail fast for {@link #DOWN_FOR} instead of each paying a connect timeout, and failures
 * are logged at most once per {@link #WARN_EVERY}, with the count of those left out. Thread-safe:
 * any caller may record a failure; the last one sets the deadline, and a compare-and-set on the
 * last warning time picks the one caller that logs.
 */
final class RedisOutage {
  private static final Logger LOG = LoggerFactory.getLogger(RedisStreamDeliveryQueue.class);

  /** After a connection failure, how long calls fail fast instead of reconnecting. */
  static final Duration DOWN_FOR = Duration.ofSeconds(1);

  /** At most one WARN per this period; the others are counted into the next one. */
  static final Duration WARN_EVERY = Duration.ofSeconds(30);

  private final String where;

  /** Calls fail fast until System.nanoTime() passes this. */
  private volatile long downUntil = System.nanoTime();

  private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY.toNanos());
  private final AtomicLong suppressed = new AtomicLong();

  /** {@code where} names the server and key in the warnings, never the credentials. */
  RedisOutage(String where) {
    this.where = where;
  }

  /** Whether calls should fail fast now. */
  boolean down() {
    return remainingNanos() > 0;
  }

  /** Nanoseconds until calls may try Redis again; zero or less when they may now. */
  long remainingNanos() {
    return downUntil - System.nanoTime();
  }

  /** Records that {@code what} failed; a connection failure also starts a {@link #DOWN_FOR}. */
  void failed(String what, JedisException e) {
    long now = System.nanoTime();
    if (e instanceof JedisConnectionException) {
      downUntil = now + DOWN_FOR.toNanos();
    }
    long last = lastWarn.get();
    if (now - last >= WARN_EVERY.toNanos() && lastWarn.compareAndSet(last, now)) {
      LOG.warn(
          "Redis queue {} could not {} ({} similar warnings suppressed); the sweeper covers: {}",
          where,
          what,
          suppressed.getAndSet(0),
          e.toString());
    } else {
      suppressed.incrementAndGet();
    }
  }
}
