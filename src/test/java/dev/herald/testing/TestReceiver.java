package dev.herald.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A webhook receiver on a loopback port, for tests: it records every request and answers with what
 * {@link #respond} says (200 by default). The record is bounded by {@link #MAX_KEPT}.
 */
public final class TestReceiver implements AutoCloseable {
  /** Requests kept; later ones are counted but not kept. */
  static final int MAX_KEPT = 100_000;

  /** One request as received. */
  public record Received(
      String path, Map<String, List<String>> headers, String body, long receivedAtNanos) {
    public String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** How to answer one request. */
  public record Reply(int status, String body, Duration delay, Map<String, String> headers) {
    public static Reply status(int status) {
      return new Reply(status, "", Duration.ZERO, Map.of());
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger count = new AtomicInteger();
  private final Map<String, AtomicInteger> perPath = new ConcurrentHashMap<>();
  private volatile Function<Received, Reply> respond = r -> Reply.status(200);

  public TestReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  /** Sets how requests are answered from now on. */
  public void respond(Function<Received, Reply> respond) {
    this.respond = respond;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public int count() {
    return count.get();
  }

  public int count(String path) {
    AtomicInteger n = perPath.get(path);
    return n == null ? 0 : n.get();
  }

  public List<Received> received() {
    return new ArrayList<>(received);
  }

  /** Waits until {@code n} requests arrived, up to {@code timeout}; returns whether they did. */
  public boolean await(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count.get() < n) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return true;
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(10 * 1024 * 1024);
    }
    Received r =
        new Received(
            ex.getRequestURI().getPath(),
            Map.copyOf(ex.getRequestHeaders()),
            new String(body, StandardCharsets.UTF_8),
            System.nanoTime());
    count.incrementAndGet();
    perPath.computeIfAbsent(r.path(), k -> new AtomicInteger()).incrementAndGet();
    if (received.size() < MAX_KEPT) {
      received.add(r);
    }
    Reply reply = respond.apply(r);
    try {
      if (!reply.delay().isZero()) {
        TimeUnit.MILLISECONDS.sleep(reply.delay().toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
