package dev.herald.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.svix.Svix;
import com.svix.SvixOptions;
import dev.herald.Herald;
import dev.herald.config.ConfigLoader;
import dev.herald.config.HeraldConfig;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real Herald for a test: started in this JVM on a free loopback port with its own database (a
 * temporary SQLite file, or a fresh schema in PostgreSQL when the system property {@code
 * herald.test.store} is {@code postgresql}), driven with the official Svix SDK or plain HTTP.
 *
 * <p>PostgreSQL runs skip when the server is unreachable, and fail instead under {@code CI=true}.
 */
public final class TestHerald implements AutoCloseable {
  /** Test secret; never used outside tests. */
  public static final String JWT_SECRET = "test-secret-0123456789abcdef";

  public static final String ORG = "org_23rb8YdGqMT0qIzpgGwdXfHirMu";

  static final String PG_HOST = "127.0.0.1";
  static final int PG_PORT = 5432;

  private final Herald herald;
  private final Storage storage;
  private final HttpClient http = HttpClient.newHttpClient();

  private TestHerald(Herald herald, Storage storage) {
    this.herald = herald;
    this.storage = storage;
  }

  /** Which store the suite runs on: {@code sqlite} (default) or {@code postgresql}. */
  public static String storeType() {
    return System.getProperty("herald.test.store", "sqlite");
  }

  public static TestHerald start() {
    return start(Map.of());
  }

  /** Starts Herald with extra settings ({@code HERALD_*} names). */
  public static TestHerald start(Map<String, String> settings) {
    Storage storage = Storage.create();
    Map<String, String> env = new HashMap<>(storage.settings());
    env.put("HERALD_LISTEN_ADDRESS", "127.0.0.1:0");
    env.putAll(settings);
    HeraldConfig cfg = ConfigLoader.load(null, env);
    try {
      return new TestHerald(Herald.start(cfg, Clock.systemUTC()), storage);
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
  }

  /**
   * A test's own storage for the store type under test (a temporary data dir, and on PostgreSQL a
   * fresh schema), and the settings that point Herald at it. {@link #close} removes it.
   */
  public record Storage(Path dataDir, String pgSchema) implements AutoCloseable {
    public static Storage create() {
      try {
        Path dataDir = Files.createTempDirectory("herald-test");
        String schema = null;
        if (storeType().equals("postgresql")) {
          requirePostgres();
          schema = "herald_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        }
        return new Storage(dataDir, schema);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** HERALD_* settings for this storage, the test secret and loopback receivers. */
    public Map<String, String> settings() {
      Map<String, String> env = new HashMap<>();
      env.put("HERALD_DATA_DIR", dataDir.toString());
      env.put("HERALD_JWT_SECRET", JWT_SECRET);
      // Receivers in tests listen on loopback, which the SSRF guard refuses by default.
      env.put("HERALD_WHITELIST_SUBNETS", "127.0.0.0/8,::1/128");
      env.put("HERALD_SWEEP_INTERVAL_MS", "200");
      if (pgSchema != null) {
        env.put(
            "HERALD_DB_DSN",
            "postgresql://postgres@" + PG_HOST + ":" + PG_PORT + "/test?currentSchema=" + pgSchema);
      }
      return env;
    }

    @Override
    public void close() {
      if (pgSchema != null) {
        try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/test", "postgres", null)) {
          c.createStatement().execute("DROP SCHEMA IF EXISTS " + pgSchema + " CASCADE");
        } catch (SQLException e) {
          // leave the schema; it is uniquely named
        }
      }
      deleteTree(dataDir);
    }
  }

  /** True when something listens on host:port. */
  public static boolean reachable(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new java.net.InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Skips the calling test when Redis is not reachable; under CI=true, fails instead. */
  public static void assumeRedis() {
    boolean up = reachable("127.0.0.1", 6379);
    if (!up && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("Redis is not reachable at 127.0.0.1:6379 under CI");
    }
    assumeTrue(up, "Redis not reachable at 127.0.0.1:6379: Redis test SKIPPED");
  }

  /** Skips the calling test when PostgreSQL is not reachable; under CI=true, fails instead. */
  public static void requirePostgres() {
    boolean up = reachable(PG_HOST, PG_PORT);
    if (!up && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("PostgreSQL is not reachable at 127.0.0.1:5432 under CI");
    }
    assumeTrue(up, "PostgreSQL not reachable at 127.0.0.1:5432: PostgreSQL tests SKIPPED");
  }

  public Herald herald() {
    return herald;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + herald.port();
  }

  public String orgToken() {
    return herald.tokens().orgToken(ORG);
  }

  /** The Svix SDK with an organisation token. */
  public Svix svix() {
    return svix(orgToken());
  }

  public Svix svix(String token) {
    SvixOptions options = new SvixOptions();
    options.setServerUrl(baseUrl());
    return new Svix(token, options);
  }

  /** A raw call with the organisation token. */
  public Resp call(String method, String path, String body) {
    return call(method, path, body, Map.of("Authorization", "Bearer " + orgToken()));
  }

  /**
   * A raw call with exactly {@code headers}. {@code Expect: 100-continue} (a header the JDK client
   * sets itself) holds the body back until the server asks for it: a call that Herald refuses on
   * its headers (413 on the declared length) then cannot race its own upload, which the server cuts
   * off by closing the connection.
   */
  public Resp call(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
    headers.forEach(
        (name, value) -> {
          if (name.equalsIgnoreCase("Expect") && value.equalsIgnoreCase("100-continue")) {
            b.expectContinue(true);
          } else {
            b.header(name, value);
          }
        });
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Resp(r.statusCode(), r.body(), r.headers().map());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A raw HTTP answer. */
  public record Resp(int status, String body, Map<String, List<String>> headers) {
    public String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  @Override
  public void close() {
    herald.close();
    storage.close();
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temporary directory; the OS cleans it
    }
  }
}
