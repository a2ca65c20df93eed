package dev.herald.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The benchmark's webhook receiver: a separate JVM (Jetty, non-blocking handler) that answers every
 * {@code POST} with 200 once its body is read, and counts it. A path under {@code /slow/} answers
 * after {@link #SLOW_MS} ms instead. While a recording is on, it keeps each arrival's {@code
 * svix-id}, path and {@link System#nanoTime()} (the same monotonic clock as the driver's, on one
 * machine) in fixed arrays of the recording's capacity; arrivals past it are only counted.
 *
 * <p>Control, under {@code /_/}: {@code GET /_/stats} → {@code count lastArrivalNanos slowCount}; {@code
 * POST /_/record?cap=N} starts a fresh recording; {@code GET /_/arrivals} ends it and returns one
 * {@code id path nanos} line per arrival. Started by the driver ({@link Bench}); by hand: {@code
 * java -cp target/bench-classes:target/herald.jar dev.herald.bench.Sink}.
 */
public final class Sink {
  /** How long a {@code /slow/} endpoint takes to answer. */
  static final long SLOW_MS = 2000;

  /** Largest recording accepted. */
  static final int MAX_CAP = 4_000_000;

  private final AtomicLong count = new AtomicLong();
  private final AtomicLong slowCount = new AtomicLong();
  private final AtomicLong lastArrival = new AtomicLong();
  private final ScheduledExecutorService slow = Executors.newSingleThreadScheduledExecutor();
  private volatile Recording recording;

  /** One recording: fixed arrays filled in arrival order. */
  private static final class Recording {
    final String[] ids;
    final String[] paths;
    final long[] nanos;
    final AtomicInteger next = new AtomicInteger();

    Recording(int cap) {
      ids = new String[cap];
      paths = new String[cap];
      nanos = new long[cap];
    }

    void add(String id, String path, long at) {
      int i = next.getAndIncrement();
      if (i < ids.length) {
        ids[i] = id;
        paths[i] = path;
        nanos[i] = at;
      }
    }

    String dump() {
      int n = Math.min(next.get(), ids.length);
      StringBuilder b = new StringBuilder(n * 64);
      for (int i = 0; i < n; i++) {
        if (ids[i] != null) {
          b.append(ids[i]).append(' ').append(paths[i]).append(' ').append(nanos[i]).append('\n');
        }
      }
      return b.toString();
    }
  }

  public static void main(String[] args) throws Exception {
    new Sink().serve(args.length > 0 ? Integer.parseInt(args[0]) : 0);
  }

  void serve(int port) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(4096);
    connector.setIdleTimeout(120_000);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract.NonBlocking() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            return Sink.this.handle(request, response, callback);
          }
        });
    server.start();
    System.out.println("Sink listening on http://127.0.0.1:" + connector.getLocalPort());
    System.out.flush();
    server.join();
  }

  private boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path.startsWith("/_/")) {
      return control(request, path, response, callback);
    }
    long at = System.nanoTime();
    count.incrementAndGet();
    if (path.startsWith("/slow/")) {
      slowCount.incrementAndGet();
    }
    lastArrival.accumulateAndGet(at, Math::max);
    Recording r = recording;
    if (r != null) {
      r.add(request.getHeaders().get("svix-id"), path, at);
    }
    Runnable answer = () -> respond(response, callback, 200, "");
    Content.Source.consumeAll(
        request,
        Callback.from(
            () -> {
              if (path.startsWith("/slow/")) {
                slow.schedule(answer, SLOW_MS, TimeUnit.MILLISECONDS);
              } else {
                answer.run();
              }
            },
            callback::failed));
    return true;
  }

  private boolean control(Request request, String path, Response response, Callback callback) {
    switch (path) {
      case "/_/stats" -> respond(
              response,
              callback,
              200,
              count.get() + " " + lastArrival.get() + " " + slowCount.get());
      case "/_/record" -> {
        String q = request.getHttpURI().getQuery();
        int cap = q != null && q.startsWith("cap=") ? Integer.parseInt(q.substring(4)) : 100_000;
        recording = new Recording(Math.min(cap, MAX_CAP));
        respond(response, callback, 200, "recording");
      }
      case "/_/arrivals" -> {
        Recording r = recording;
        recording = null;
        respond(response, callback, 200, r == null ? "" : r.dump());
      }
      default -> respond(response, callback, 404, "no such control");
    }
    return true;
  }

  private static void respond(Response response, Callback callback, int status, String body) {
    response.setStatus(status);
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
  }
}
