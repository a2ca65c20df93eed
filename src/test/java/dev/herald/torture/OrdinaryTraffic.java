package dev.herald.torture;

import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Small, valid messages sent to an app whose endpoint is a normal receiver: in the background every
 * {@link #PERIOD_MS} while the torture runs, and on demand after it. Keeps the ids of those
 * answered 202, which must all be delivered, and counts every status seen.
 */
final class OrdinaryTraffic implements AutoCloseable {
  static final long PERIOD_MS = 200;
  static final Pattern ID = Pattern.compile("\"id\":\"(msg_[A-Za-z0-9]+)\"");

  private final HttpClient http;
  private final String url;
  private final String token;
  private final Set<String> accepted = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final AtomicInteger seq = new AtomicInteger();
  private volatile boolean running;
  private Thread background;

  OrdinaryTraffic(HttpClient http, String baseUrl, String token, String app) {
    this.http = http;
    this.url = baseUrl + "/api/v1/app/" + app + "/msg";
    this.token = token;
  }

  /** Starts sending in the background. */
  void start() {
    running = true;
    background =
        Thread.ofPlatform()
            .daemon()
            .name("ordinary-traffic")
            .start(
                () -> {
                  while (running) {
                    send();
                    try {
                      TimeUnit.MILLISECONDS.sleep(PERIOD_MS);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  /** Sends one message now; returns its status (-1 when the call failed). */
  int send() {
    int n = seq.incrementAndGet();
    String body = "{\"eventType\":\"ordinary\",\"payload\":{\"seq\":" + n + "}}";
    int status;
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .timeout(Duration.ofSeconds(10))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      status = r.statusCode();
      if (status == 202) {
        Matcher m = ID.matcher(r.body());
        if (m.find()) {
          accepted.add(m.group(1));
        }
      }
    } catch (Exception e) {
      statuses
          .computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger())
          .incrementAndGet();
      return -1;
    }
    statuses.computeIfAbsent(Integer.toString(status), k -> new AtomicInteger()).incrementAndGet();
    return status;
  }

  Set<String> accepted() {
    return Set.copyOf(accepted);
  }

  /** Status (or the failure's class) → count, for the report. */
  Map<String, Integer> statuses() {
    return new TreeMap<>(
        statuses.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
  }

  /** Accepted ids that {@code receiver} has not seen (by {@code svix-id}), at most 20. */
  List<String> undelivered(TestReceiver receiver) {
    Set<String> seen =
        receiver.received().stream().map(r -> r.header("svix-id")).collect(Collectors.toSet());
    return accepted.stream().filter(id -> !seen.contains(id)).sorted().limit(20).toList();
  }

  @Override
  public void close() {
    running = false;
    if (background != null) {
      try {
        background.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
