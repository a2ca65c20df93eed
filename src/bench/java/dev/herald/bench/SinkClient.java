package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpMethod;

/** The driver's side of the {@link Sink}'s control endpoints. */
final class SinkClient {
  private final Child sink;
  private final HttpClient http;

  SinkClient(Child sink, Load load) {
    this.sink = sink;
    this.http = load.client;
  }

  /** Deliveries counted so far, and the arrival instant of the latest. */
  record Stats(long count, long lastNanos, long slow) {
    /** Deliveries to fast (not {@code /slow/}) endpoints. */
    long fast() {
      return count - slow;
    }
  }

  /** One recorded arrival. */
  record Arrival(String id, String path, long nanos) {}

  String url(String path) {
    return sink.baseUrl() + path;
  }

  Child process() {
    return sink;
  }

  Stats stats() {
    String[] f = get("/_/stats").trim().split(" ");
    return new Stats(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
  }

  /** Starts a fresh recording of at most {@code cap} arrivals. */
  void record(long cap) {
    try {
      http.newRequest(url("/_/record?cap=" + Math.min(cap, Sink.MAX_CAP)))
          .method(HttpMethod.POST)
          .timeout(30, TimeUnit.SECONDS)
          .send();
    } catch (Exception e) {
      throw new IllegalStateException("sink record failed", e);
    }
  }

  /** Ends the recording; its arrivals. */
  List<Arrival> arrivals() {
    List<Arrival> out = new ArrayList<>();
    for (String line : get("/_/arrivals").split("\n")) {
      String[] f = line.split(" ");
      if (f.length == 3) {
        out.add(new Arrival(f[0], f[1], Long.parseLong(f[2])));
      }
    }
    return out;
  }

  /**
   * Waits until the sink has counted {@code target} deliveries, or {@code timeoutSeconds} passed,
   * or nothing arrived for {@code stallSeconds}; returns the last stats.
   */
  Stats awaitCount(long target, double timeoutSeconds, double stallSeconds) {
    return awaitFast(target - stats().slow(), timeoutSeconds, stallSeconds);
  }

  /**
   * Waits until the sink has counted {@code target} deliveries to fast endpoints, or {@code
   * timeoutSeconds} passed, or none arrived for {@code stallSeconds}; returns the last stats.
   */
  Stats awaitFast(long target, double timeoutSeconds, double stallSeconds) {
    long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
    Stats s = stats();
    long lastProgress = System.nanoTime();
    long lastCount = s.fast();
    while (s.fast() < target && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      s = stats();
      if (s.fast() != lastCount) {
        lastCount = s.fast();
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > stallSeconds * 1e9) {
        break;
      }
    }
    return s;
  }

  private String get(String path) {
    try {
      return http.newRequest(url(path)).timeout(60, TimeUnit.SECONDS).send().getContentAsString();
    } catch (Exception e) {
      throw new IllegalStateException("sink " + path + " failed", e);
    }
  }
}
