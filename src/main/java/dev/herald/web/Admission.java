package dev.herald.web;

import com.github.benmanes.caffeine.cache.Cache;
import dev.herald.core.Caches;
import dev.herald.core.HeraldError;
import dev.herald.core.Scope;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Admission control: the API sheds load instead of queuing it without end.
 *
 * <ul>
 *   <li>At most {@code maxConcurrentRequests} requests are served at once; past that a request is
 *       refused at once with 503 and {@code Retry-After} (health and metrics are exempt, so an
 *       overloaded node can still be watched).
 *   <li>The request bodies being read or held add up to at most {@code maxInFlightBodyBytes}; a
 *       body is reserved in chunks as it is read and released when its request ends, so a flood of
 *       large bodies is refused with 503 rather than grown into the heap.
 *   <li>With {@code ratePerSecond > 0}, each caller (organisation, or app token) gets that many
 *       requests per second (burst: one second's worth); past it, 429 with {@code Retry-After}.
 * </ul>
 *
 * Counters of refusals by reason are read by the metrics. Thread-safe: the slots are a semaphore,
 * the byte budget an atomic, the per-caller buckets a bounded Caffeine cache of synchronized
 * buckets.
 */
public final class Admission {
  /** Request attribute: bytes this request reserved from the body budget. */
  static final String RESERVED = "herald.admission.bytes";

  /** Request attribute: this request holds a concurrency slot. */
  static final String SLOT = "herald.admission.slot";

  /** Callers whose rate buckets are tracked at once. */
  static final long MAX_TRACKED_CALLERS = 100_000;

  /** What a refused request is told to wait. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** Why a request was refused, as the metrics label it. */
  public enum Reason {
    CONCURRENCY,
    BODY_BYTES,
    RATE_LIMIT
  }

  private final int maxConcurrent;
  private final Semaphore slots;
  private final long maxBodyBytes;
  private final AtomicLong bodyBytes = new AtomicLong();
  private final int ratePerSecond;
  private final Cache<Scope, Bucket> buckets;
  private final Map<Reason, LongAdder> refused = new ConcurrentHashMap<>();

  public Admission(int maxConcurrentRequests, long maxInFlightBodyBytes, int ratePerSecond) {
    this.maxConcurrent = maxConcurrentRequests;
    this.slots = new Semaphore(maxConcurrentRequests);
    this.maxBodyBytes = maxInFlightBodyBytes;
    this.ratePerSecond = ratePerSecond;
    this.buckets =
        Caches.newBuilder()
            .maximumSize(MAX_TRACKED_CALLERS)
            .expireAfterAccess(Duration.ofMinutes(5))
            .build();
    for (Reason r : Reason.values()) {
      refused.put(r, new LongAdder());
    }
  }

  /** Takes a concurrency slot for {@code ctx}, or refuses it with 503. */
  void enter(Context ctx) {
    if (!slots.tryAcquire()) {
      throw refuse(Reason.CONCURRENCY, 503, "Too many requests in flight; retry shortly.");
    }
    ctx.attribute(SLOT, Boolean.TRUE);
  }

  /**
   * Releases what {@code ctx} holds: its slot and its body bytes. Safe to call once per request.
   */
  void leave(Context ctx) {
    if (ctx.attribute(SLOT) != null) {
      ctx.attribute(SLOT, null);
      slots.release();
    }
    Long bytes = ctx.attribute(RESERVED);
    if (bytes != null) {
      ctx.attribute(RESERVED, null);
      bodyBytes.addAndGet(-bytes);
    }
  }

  /** Reserves {@code n} more body bytes for {@code ctx}, or refuses the request with 503. */
  void reserve(Context ctx, long n) {
    long now = bodyBytes.addAndGet(n);
    if (now > maxBodyBytes) {
      bodyBytes.addAndGet(-n);
      throw refuse(Reason.BODY_BYTES, 503, "Too much request data in flight; retry shortly.");
    }
    Long held = ctx.attribute(RESERVED);
    ctx.attribute(RESERVED, (held == null ? 0 : held) + n);
  }

  /** Counts one request of {@code scope} against its rate, or refuses it with 429. */
  void rate(Scope scope) {
    if (ratePerSecond <= 0) {
      return;
    }
    Bucket b = buckets.get(scope, k -> new Bucket(ratePerSecond));
    long waitNanos = b.take(ratePerSecond);
    if (waitNanos > 0) {
      refused.get(Reason.RATE_LIMIT).increment();
      throw new HeraldError.Overloaded(
          429,
          Duration.ofNanos(waitNanos)
              .plusMillis(999)
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
          "Rate limit exceeded: " + ratePerSecond + " requests per second.");
    }
  }

  private HeraldError.Overloaded refuse(Reason reason, int status, String detail) {
    refused.get(reason).increment();
    return new HeraldError.Overloaded(status, RETRY_AFTER, detail);
  }

  /** Requests refused so far for {@code reason}. */
  public long refused(Reason reason) {
    return refused.get(reason).sum();
  }

  /** Request-body bytes reserved now. */
  public long inFlightBodyBytes() {
    return bodyBytes.get();
  }

  /** Requests holding a slot now. */
  public int inFlightRequests() {
    return maxConcurrent - slots.availablePermits();
  }

  /** A token bucket: {@code rate} tokens per second, at most {@code rate} saved. */
  private static final class Bucket {
    private double tokens;
    private long last = System.nanoTime();

    Bucket(int rate) {
      this.tokens = rate;
    }

    /** Takes a token; returns 0, or how long until one is available. */
    synchronized long take(int rate) {
      long now = System.nanoTime();
      tokens = Math.min(rate, tokens + (now - last) / 1e9 * rate);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) ((1 - tokens) / rate * 1e9);
    }
  }
}
