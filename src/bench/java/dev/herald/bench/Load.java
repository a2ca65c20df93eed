package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;

/**
 * The load generators, over one keep-alive Jetty {@link HttpClient}: a closed loop (a fixed number
 * of senders, each sending its next request when the previous one is answered) and an open loop (a
 * fixed arrival rate, each request sent at its scheduled instant whatever the answers do). Every
 * loop ends at a deadline or a request count, whichever comes first.
 */
final class Load implements AutoCloseable {
  /** Longest wait for one answer. */
  static final long REQUEST_TIMEOUT_S = 30;

  final HttpClient client;

  Load(int maxConnections) {
    client = new HttpClient();
    client.setMaxConnectionsPerDestination(maxConnections);
    client.setMaxRequestsQueuedPerDestination(1 << 20);
    client.setConnectTimeout(5_000);
    client.setIdleTimeout(120_000);
    client.setFollowRedirects(false);
    try {
      client.start();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a closed loop did. */
  record Counts(long ok, long failed, long startNanos, long endNanos) {
    double seconds() {
      return (endNanos - startNanos) / 1e9;
    }
  }

  /**
   * {@code senders} virtual threads, each sending {@code request.apply(seq)} until {@code seconds}
   * have passed or {@code maxRequests} were sent.
   */
  Counts closed(int senders, double seconds, long maxRequests, LongFunction<Request> request) {
    AtomicLong seq = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < senders; i++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    long n;
                    while (System.nanoTime() < deadline && (n = seq.getAndIncrement()) < maxRequests) {
                      try {
                        ContentResponse r =
                            request.apply(n).timeout(REQUEST_TIMEOUT_S, TimeUnit.SECONDS).send();
                        (r.getStatus() / 100 == 2 ? ok : failed).incrementAndGet();
                      } catch (InterruptedException e) {
                        return;
                      } catch (Exception e) {
                        failed.incrementAndGet();
                      }
                    }
                  }));
    }
    join(threads);
    return new Counts(ok.get(), failed.get(), start, System.nanoTime());
  }

  /** What an open loop did: the scheduled send instant of each answered request, by answer. */
  record Sent(Map<String, Long> scheduledNanos, long failed, long startNanos, long endNanos) {}

  /**
   * Sends {@code request.apply(seq)} at {@code perSecond} for {@code seconds}; for each 2xx, {@code
   * key} turns the answer's body into the key under which its scheduled instant is kept. Waits for
   * the answers (at most {@link #REQUEST_TIMEOUT_S}).
   */
  Sent open(
      double perSecond,
      double seconds,
      LongFunction<Request> request,
      java.util.function.Function<String, String> key) {
    Map<String, Long> scheduled = new ConcurrentHashMap<>();
    AtomicLong failed = new AtomicLong();
    AtomicLong outstanding = new AtomicLong();
    long period = (long) (1e9 / perSecond);
    long count = (long) (perSecond * seconds);
    long start = System.nanoTime() + 10_000_000;
    for (long i = 0; i < count; i++) {
      long at = start + i * period;
      long wait;
      while ((wait = at - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      outstanding.incrementAndGet();
      BiConsumer<Result, String> done =
          (result, body) -> {
            if (result.isSucceeded() && result.getResponse().getStatus() / 100 == 2) {
              scheduled.put(key.apply(body), at);
            } else {
              failed.incrementAndGet();
            }
            outstanding.decrementAndGet();
          };
      request
          .apply(i)
          .timeout(REQUEST_TIMEOUT_S, TimeUnit.SECONDS)
          .send(
              new BufferingResponseListener(64 * 1024) {
                @Override
                public void onComplete(Result result) {
                  done.accept(result, getContentAsString(StandardCharsets.UTF_8));
                }
              });
    }
    long end = System.nanoTime();
    long giveUp = end + TimeUnit.SECONDS.toNanos(REQUEST_TIMEOUT_S + 5);
    while (outstanding.get() > 0 && System.nanoTime() < giveUp) {
      LockSupport.parkNanos(1_000_000);
    }
    return new Sent(scheduled, failed.get() + outstanding.get(), start, end);
  }

  private static void join(List<Thread> threads) {
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      // stopping anyway
    }
  }
}
