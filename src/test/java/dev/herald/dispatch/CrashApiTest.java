package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ChildHerald;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Accepted means delivered, whatever happens to the process or the queue: Herald runs as a child
 * JVM under a load of messages, is killed with SIGKILL (or loses its Redis queue) in the middle,
 * and is started again on the same database. Every message that got a 2xx must reach each of its
 * two endpoints at least once; duplicates are counted and printed, never failed on.
 */
class CrashApiTest {
  /** Messages sent in all. */
  static final int MESSAGES = 1500;

  /** The disruption comes once this many messages were accepted. */
  static final int DISRUPT_AFTER = 600;

  static final Duration DELIVERY_DEADLINE = Duration.ofSeconds(90);

  static final String ORG_TOKEN_APP = "crash-app";

  /** Short leases, so that work a killed node held is found again within seconds. */
  static Map<String, String> settings(TestHerald.Storage storage) {
    Map<String, String> env = new HashMap<>(storage.settings());
    env.put("HERALD_LISTEN_ADDRESS", "127.0.0.1:0");
    env.put("HERALD_REQUEST_TIMEOUT_MS", "1000");
    env.put("HERALD_CONNECT_TIMEOUT_MS", "1000");
    env.put("HERALD_ATTEMPT_LEASE_MS", "2000");
    env.put("HERALD_QUEUE_LEASE_MS", "2000");
    env.put("HERALD_RETRY_SCHEDULE", "1,1,1,1,1");
    return env;
  }

  @Test
  void accepted_messages_survive_a_kill_9_in_the_middle_of_a_load() throws Exception {
    try (TestHerald.Storage storage = TestHerald.Storage.create();
        TestReceiver receiver = new TestReceiver()) {
      Map<String, String> env = settings(storage);
      Report r = run(env, receiver, ChildHerald::kill);
      System.out.println("crash test (kill -9, " + TestHerald.storeType() + "): " + r);
      assertThat(r.missing()).as("accepted messages never delivered").isEmpty();
    }
  }

  @Test
  void accepted_messages_survive_losing_the_redis_queue() throws Exception {
    TestHerald.assumeRedis();
    String prefix = "herald-crash-" + System.nanoTime() + ":";
    try (TestHerald.Storage storage = TestHerald.Storage.create();
        TestReceiver receiver = new TestReceiver();
        RedisClient redis = RedisClient.create("redis://127.0.0.1:6379")) {
      Map<String, String> env = settings(storage);
      env.put("HERALD_QUEUE_TYPE", "redis");
      env.put("HERALD_REDIS_DSN", "redis://127.0.0.1:6379");
      env.put("HERALD_REDIS_PREFIX", prefix);
      // The queue's keys vanish as in a flushed or restarted Redis while Herald runs on; a
      // moment later Herald is killed too, so the restarted node finds an empty queue and must
      // recover the lost ids from the database alone.
      Report r =
          run(
              env,
              receiver,
              child -> {
                Set<String> keys = redis.keys(prefix + "*");
                if (!keys.isEmpty()) {
                  redis.del(keys.toArray(String[]::new));
                }
                try {
                  TimeUnit.MILLISECONDS.sleep(300);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                keys = redis.keys(prefix + "*");
                if (!keys.isEmpty()) {
                  redis.del(keys.toArray(String[]::new));
                }
                child.kill();
              });
      System.out.println(
          "crash test (redis keys deleted, then kill -9, " + TestHerald.storeType() + "): " + r);
      assertThat(r.missing()).as("accepted messages never delivered").isEmpty();
      Set<String> left = redis.keys(prefix + "*");
      if (!left.isEmpty()) {
        redis.del(left.toArray(String[]::new));
      }
    }
  }

  /** What the receiver saw. */
  record Report(int accepted, int delivered, int duplicates, List<String> missing) {
    @Override
    public String toString() {
      return accepted
          + " messages accepted ("
          + (accepted * 2)
          + " deliveries owed), "
          + delivered
          + " distinct deliveries arrived (more than owed when a message was committed but its"
          + " answer was cut off by the kill), "
          + duplicates
          + " duplicate deliveries, "
          + missing.size()
          + " missing";
    }
  }

  /** Sends the load, disrupts the child once, restarts it if it died, and waits for delivery. */
  static Report run(Map<String, String> env, TestReceiver receiver, Consumer<ChildHerald> disrupt)
      throws Exception {
    List<String> jvm = List.of("-Xmx256m");
    ChildHerald child = ChildHerald.start(env, jvm);
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      String token = orgToken();
      String app = setUp(http, child.baseUrl(), token, receiver);
      AtomicInteger next = new AtomicInteger();
      ChildHerald current = child;
      boolean disrupted = false;
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (next.get() < MESSAGES && System.nanoTime() < deadline) {
        String base = current.baseUrl();
        sendBatch(http, base, token, app, next, 50, accepted);
        if (!disrupted && accepted.size() >= DISRUPT_AFTER) {
          disrupted = true;
          // Disrupt while a batch is in flight, so that some requests are cut off mid-way.
          ChildHerald victim = current;
          Thread t = Thread.ofPlatform().start(() -> disrupt.accept(victim));
          sendBatch(http, base, token, app, next, 50, accepted);
          t.join();
          if (!current.alive()) {
            current = ChildHerald.start(env, jvm);
          }
        }
      }
      assertThat(disrupted).isTrue();
      child = current;
      long until = System.nanoTime() + DELIVERY_DEADLINE.toNanos();
      while (System.nanoTime() < until && !missing(receiver, accepted).isEmpty()) {
        TimeUnit.MILLISECONDS.sleep(200);
      }
      Map<String, Long> perDelivery =
          receiver.received().stream()
              .collect(
                  Collectors.groupingBy(
                      x -> x.path() + " " + x.header("svix-id"), Collectors.counting()));
      int duplicates = (int) perDelivery.values().stream().mapToLong(n -> Math.max(0, n - 1)).sum();
      return new Report(
          accepted.size(), perDelivery.size(), duplicates, missing(receiver, accepted));
    } finally {
      child.close();
    }
  }

  static List<String> missing(TestReceiver receiver, Set<String> accepted) {
    Set<String> seen =
        receiver.received().stream()
            .map(x -> x.path() + " " + x.header("svix-id"))
            .collect(Collectors.toSet());
    return accepted.stream()
        .flatMap(id -> List.of("/a " + id, "/b " + id).stream())
        .filter(k -> !seen.contains(k))
        .sorted()
        .limit(20)
        .toList();
  }

  static String orgToken() {
    return new dev.herald.auth.Tokens(TestHerald.JWT_SECRET, java.time.Clock.systemUTC())
        .orgToken(TestHerald.ORG);
  }

  static String setUp(HttpClient http, String base, String token, TestReceiver receiver)
      throws Exception {
    String app = ORG_TOKEN_APP;
    post(http, base, token, "/api/v1/app", "{\"name\":\"crash\",\"uid\":\"" + app + "\"}");
    for (String path : List.of("/a", "/b")) {
      post(
          http,
          base,
          token,
          "/api/v1/app/" + app + "/endpoint",
          "{\"url\":\"" + receiver.url(path) + "\"}");
    }
    return app;
  }

  static HttpResponse<String> post(
      HttpClient http, String base, String token, String path, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r;
  }

  /** Sends {@code n} messages from 8 threads; records the ids of those answered 2xx. */
  static void sendBatch(
      HttpClient http,
      String base,
      String token,
      String app,
      AtomicInteger next,
      int n,
      Set<String> accepted)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int i = 0; i < n && next.get() < MESSAGES; i++) {
      int seq = next.getAndIncrement();
      pool.submit(
          () -> {
            try {
              HttpResponse<String> r =
                  http.send(
                      HttpRequest.newBuilder(URI.create(base + "/api/v1/app/" + app + "/msg"))
                          .timeout(Duration.ofSeconds(10))
                          .header("Authorization", "Bearer " + token)
                          .header("Content-Type", "application/json")
                          .POST(
                              HttpRequest.BodyPublishers.ofString(
                                  "{\"eventType\":\"load\",\"payload\":{\"seq\":" + seq + "}}"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 202) {
                String id = r.body().replaceAll(".*\"id\":\"(msg_[A-Za-z0-9]+)\".*", "$1");
                accepted.add(id);
              }
            } catch (Exception e) {
              // Cut off by the kill: not accepted, so nothing is owed.
            }
          });
    }
    pool.shutdown();
    pool.awaitTermination(60, TimeUnit.SECONDS);
  }
}
