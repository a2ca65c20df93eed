package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.auth.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * One Herald under test, started with {@code ./herald serve} as a separate process in a {@link
 * Mode}, on a fresh data directory, a fresh PostgreSQL schema (dropped on close) and a unique Redis
 * prefix (its keys deleted on close). Also its API, as the benchmark uses it.
 */
final class HeraldNode implements AutoCloseable {
  static final String PG_JDBC = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  static final String ORG = "org_23rb8YdGqMT0qIzpgGwdXfHirMu";
  static final ObjectMapper JSON = new ObjectMapper();

  /** How Herald stores and queues. */
  enum Mode {
    SQLITE_MEMORY("sqlite-memory", false, false),
    PG_MEMORY("pg-memory", true, false),
    PG_REDIS("pg-redis", true, true);

    final String label;
    final boolean postgres;
    final boolean redis;

    Mode(String label, boolean postgres, boolean redis) {
      this.label = label;
      this.postgres = postgres;
      this.redis = redis;
    }

    static Mode of(String label) {
      for (Mode m : values()) {
        if (m.label.equals(label)) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown mode " + label);
    }
  }

  final Mode mode;
  final Child process;
  private final Path dataDir;
  private final String schema;
  private final String redisPrefix;
  private final String token;
  private final HttpClient http;

  /** The largest SQLite write-ahead log file over this node's life; null on PostgreSQL. */
  private final Child.Peak wal;

  private HeraldNode(
      Mode mode, Child process, Path dataDir, String schema, String prefix, String token, Load l) {
    this.mode = mode;
    this.process = process;
    this.dataDir = dataDir;
    this.schema = schema;
    this.redisPrefix = prefix;
    this.token = token;
    this.http = l.client;
    Path walFile = dataDir.resolve("herald.db-wal");
    this.wal = mode.postgres ? null : new Child.Peak(() -> walFile.toFile().length());
  }

  /** The largest SQLite write-ahead log file so far (sampled every 100 ms), MB; NaN on PostgreSQL. */
  double peakWalMb() {
    return wal == null ? Double.NaN : Figures.mb(wal.peak());
  }

  /** Starts Herald in {@code mode} with {@code settings} (HERALD_* variables) added. */
  static HeraldNode start(Mode mode, Map<String, String> settings, Path repo, Path logs, Load l) {
    String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String secret = "bench-secret-" + run + "-" + UUID.randomUUID();
    Map<String, String> env = new HashMap<>();
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory("herald-bench-");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String schema = mode.postgres ? "bench_" + run : null;
    String prefix = mode.redis ? "herald-bench-" + run + ":" : null;
    env.put("HERALD_LISTEN_ADDRESS", "127.0.0.1:0");
    env.put("HERALD_DATA_DIR", dataDir.toString());
    // bench/run.sh built the jar; sources edited during a run must not rebuild it under the run.
    env.put("HERALD_SKIP_BUILD", "1");
    env.put("HERALD_JWT_SECRET", secret);
    env.put("HERALD_WHITELIST_SUBNETS", "127.0.0.0/8");
    if (schema != null) {
      sql("CREATE SCHEMA " + schema);
      env.put(
          "HERALD_DB_DSN", "postgresql://postgres@127.0.0.1:5432/test?currentSchema=" + schema);
    }
    if (prefix != null) {
      env.put("HERALD_QUEUE_TYPE", "redis");
      env.put("HERALD_REDIS_DSN", "redis://127.0.0.1:6379");
      env.put("HERALD_REDIS_PREFIX", prefix);
    }
    env.putAll(settings);
    String pool = System.getenv("BENCH_DB_POOL_MAX_SIZE");
    if (pool != null && !pool.isBlank() && mode.postgres) {
      env.put("HERALD_DB_POOL_MAX_SIZE", pool);
    }
    String opts = System.getenv().getOrDefault("BENCH_HERALD_OPTS", "");
    if (!opts.isBlank()) {
      env.put("HERALD_OPTS", opts);
    }
    Path log = logs.resolve("herald-" + mode.label + "-" + run + ".log");
    Child child;
    try {
      child = Child.start("herald", List.of(repo.resolve("herald").toString(), "serve"), env, log);
    } catch (RuntimeException e) {
      cleanUp(dataDir, schema, prefix);
      throw e;
    }
    String token = new Tokens(secret, Clock.systemUTC()).orgToken(ORG);
    return new HeraldNode(mode, child, dataDir, schema, prefix, token, l);
  }

  String url(String path) {
    return process.baseUrl() + path;
  }

  /** A new application; returns its id. */
  String createApp(String name) {
    return call("/api/v1/app", Map.of("name", name)).get("id").asText();
  }

  /** A new endpoint of {@code app} delivering to {@code url}; returns its id. */
  String createEndpoint(String app, String url) {
    return call("/api/v1/app/" + app + "/endpoint", Map.of("url", url)).get("id").asText();
  }

  /** {@code POST /api/v1/app/{app}/msg} of {@code body}, ready to send. */
  Request message(String app, byte[] body) {
    return http.newRequest(url("/api/v1/app/" + app + "/msg"))
        .method(HttpMethod.POST)
        .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + token))
        .body(new BytesRequestContent("application/json", body));
  }

  private JsonNode call(String path, Object body) {
    try {
      ContentResponse r =
          http.newRequest(url(path))
              .method(HttpMethod.POST)
              .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + token))
              .body(new BytesRequestContent("application/json", JSON.writeValueAsBytes(body)))
              .timeout(30, TimeUnit.SECONDS)
              .send();
      if (r.getStatus() / 100 != 2) {
        throw new IllegalStateException(path + " answered " + r.getStatus() + ": " + r.getContentAsString());
      }
      return JSON.readTree(r.getContent());
    } catch (Exception e) {
      throw new IllegalStateException("POST " + path + " failed", e);
    }
  }

  /** Value of {@code name} (summed over its label sets) in Herald's {@code /metrics}. */
  double metric(String name) {
    return metric(name, "");
  }

  /** The sum of {@code name}'s series whose labels contain {@code label} (e.g. {@code kind="a"}). */
  double metric(String name, String label) {
    try {
      String text = http.GET(url("/metrics")).getContentAsString();
      double sum = 0;
      for (String line : text.split("\n")) {
        if ((line.startsWith(name + " ") || line.startsWith(name + "{"))
            && line.substring(0, line.lastIndexOf(' ')).contains(label)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  @Override
  public void close() {
    if (wal != null) {
      wal.close();
    }
    process.close();
    cleanUp(dataDir, schema, redisPrefix);
  }

  private static void cleanUp(Path dataDir, String schema, String prefix) {
    if (schema != null) {
      sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
    if (prefix != null) {
      try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams match = new ScanParams().match(prefix + "*").count(1000);
        do {
          ScanResult<String> page = jedis.scan(cursor, match);
          if (!page.getResult().isEmpty()) {
            jedis.del(page.getResult().toArray(String[]::new));
          }
          cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      }
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not remove " + dataDir + ": " + e);
    }
  }

  private static void sql(String statement) {
    try (Connection c = DriverManager.getConnection(PG_JDBC);
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(statement + " failed", e);
    }
  }
}
