package dev.herald.dispatch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A JDK HTTP server on 127.0.0.1, port 0, that records each request (method, path and query,
 * lower-cased headers, body bytes) and lets a handler answer. Handlers run on virtual threads,
 * which {@link #close()} interrupts.
 */
final class LoopbackReceiver implements AutoCloseable {
  /** Answers one request. */
  interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  /** One request as received. */
  record Recorded(String method, String path, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> values = headers.get(name);
      return values == null ? null : String.join(",", values);
    }
  }

  final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  LoopbackReceiver(Handler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext(
        "/",
        ex -> {
          Map<String, List<String>> headers = new LinkedHashMap<>();
          ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
          requests.add(
              new Recorded(
                  ex.getRequestMethod(),
                  ex.getRequestURI().toString(),
                  headers,
                  ex.getRequestBody().readAllBytes()));
          handler.handle(ex);
        });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  /** Answers with {@code status} and exactly {@code body} (no body when it is empty). */
  static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    ex.close();
  }
}
