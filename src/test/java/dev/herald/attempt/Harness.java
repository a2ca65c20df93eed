package dev.herald.attempt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.MessageIn;
import com.svix.models.MessageOut;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestReceiver;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One Herald (retry schedule 1 s, 1 s, 1 s) and one receiver for an attempt-log test class, with
 * the calls those tests repeat. Replies are chosen per path, so tests do not disturb each other.
 */
final class Harness implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper MAPPER = new ObjectMapper();

  final TestHerald herald;
  final Svix svix;
  final TestReceiver receiver;
  private final Map<String, Function<TestReceiver.Received, TestReceiver.Reply>> replies =
      new java.util.concurrent.ConcurrentHashMap<>();

  Harness() {
    herald = TestHerald.start(Map.of("HERALD_RETRY_SCHEDULE", "1,1,1"));
    svix = herald.svix();
    receiver = new TestReceiver();
    receiver.respond(
        r -> replies.getOrDefault(r.path(), x -> TestReceiver.Reply.status(200)).apply(r));
  }

  @Override
  public void close() {
    receiver.close();
    herald.close();
  }

  /** From now on, requests to {@code path} are answered by {@code reply}. */
  void reply(String path, Function<TestReceiver.Received, TestReceiver.Reply> reply) {
    replies.put(path, reply);
  }

  static TestReceiver.Reply status(int status, String body) {
    return new TestReceiver.Reply(status, body, Duration.ZERO, Map.of());
  }

  String app() throws Exception {
    return svix.getApplication().create(new ApplicationIn().name("attempts")).getId();
  }

  static String path(String base) {
    return "/" + base + "-" + System.nanoTime();
  }

  EndpointOut endpoint(String app, String path) throws Exception {
    return svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url(path))));
  }

  MessageOut send(String app, String eventType, String payload) throws Exception {
    return svix.getMessage().create(app, new MessageIn().eventType(eventType).payload(payload));
  }

  boolean await(String path, int n) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (receiver.count(path) < n) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** Waits until {@code check} holds, polling; returns whether it did in time. */
  static boolean eventually(Check check) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  interface Check {
    boolean holds() throws Exception;
  }

  List<TestReceiver.Received> at(String path) {
    return receiver.received().stream().filter(r -> r.path().equals(path)).toList();
  }

  TestHerald.Resp call(String method, String path, String body) {
    return herald.call(method, path, body);
  }

  static JsonNode json(String text) throws Exception {
    return MAPPER.readTree(text);
  }
}
