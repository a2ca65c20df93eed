package dev.herald.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.herald.core.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads {@link HeraldConfig} in three layers, later ones winning: the shipped defaults ({@code
 * herald.default.toml}), the operator's TOML file, then {@code HERALD_*} environment variables.
 * Each value is checked once; a bad one fails with a {@link ConfigException} that names the setting
 * and the value.
 */
public final class ConfigLoader {
  /** Prefix of Herald's environment variables. */
  public static final String ENV_PREFIX = "HERALD_";

  /** The shipped defaults, also the reference documentation of every key. */
  public static final String DEFAULTS_RESOURCE = "/herald.default.toml";

  /** Environment variables with the prefix that are not settings (read by the launcher). */
  private static final List<String> NON_SETTINGS = List.of("HERALD_OPTS", "HERALD_CONFIG_FILE");

  private ConfigLoader() {}

  /** Loads from the defaults, {@code file} (may be null) and {@code env}. */
  public static HeraldConfig load(Path file, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + DEFAULTS_RESOURCE);
      }
      readToml(new TomlMapper().readTree(in), values, origin, "default");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + DEFAULTS_RESOURCE, e);
    }
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("config file " + file + " does not exist");
      }
      Map<String, String> fromFile = new LinkedHashMap<>();
      try {
        readToml(new TomlMapper().readTree(file.toFile()), fromFile, origin, file.toString());
      } catch (IOException e) {
        throw new ConfigException("config file " + file + " is not valid TOML: " + e.getMessage());
      }
      for (String key : fromFile.keySet()) {
        if (!values.containsKey(key)) {
          throw new ConfigException("unknown setting '" + key + "' in " + file);
        }
      }
      values.putAll(fromFile);
    }
    env.forEach(
        (name, value) -> {
          if (!name.startsWith(ENV_PREFIX) || NON_SETTINGS.contains(name)) {
            return;
          }
          String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
          if (values.containsKey(key)) {
            values.put(key, value);
            origin.put(key, "env");
          }
        });
    return new Reader(values).read();
  }

  private static void readToml(
      JsonNode root, Map<String, String> into, Map<String, String> origin, String source) {
    Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode node = field.getValue();
      String value;
      if (node.isArray()) {
        List<String> parts = new ArrayList<>();
        node.forEach(item -> parts.add(item.asText()));
        value = String.join(",", parts);
      } else if (node.isNull()) {
        value = "";
      } else {
        value = node.asText();
      }
      into.put(field.getKey(), value);
      origin.put(field.getKey(), source);
    }
  }

  /** Turns the merged string map into the typed tree, naming the setting on every failure. */
  private static final class Reader {
    private final Map<String, String> values;

    Reader(Map<String, String> values) {
      this.values = values;
    }

    HeraldConfig read() {
      Path dataDir = Path.of(string("data_dir"));
      HeraldConfig.Http http = readHttp();
      HeraldConfig.Store store = readStore(dataDir);
      String redisDsn = optional("redis_dsn");
      HeraldConfig.QueueType queueType = choice("queue_type", HeraldConfig.QueueType.class);
      HeraldConfig.CacheType cacheType = choice("cache_type", HeraldConfig.CacheType.class);
      if (redisDsn != null) {
        checkRedisDsn(redisDsn);
      }
      if ((queueType == HeraldConfig.QueueType.REDIS || cacheType == HeraldConfig.CacheType.REDIS)
          && redisDsn == null) {
        throw new ConfigException(
            "setting HERALD_REDIS_DSN is required when HERALD_QUEUE_TYPE or HERALD_CACHE_TYPE is"
                + " redis");
      }
      String secret = optional("jwt_secret");
      if (secret != null && secret.length() < 16) {
        throw bad("jwt_secret", "<hidden>", "must be at least 16 characters");
      }
      if (secret == null && store.type() == HeraldConfig.StoreType.POSTGRESQL) {
        throw new ConfigException(
            "setting HERALD_JWT_SECRET is required with PostgreSQL: every node must share it");
      }
      String org = string("org_id");
      if (!Ids.Prefix.ORG.matches(org)) {
        throw bad("org_id", org, "must be 'org_' followed by a 27-character KSUID");
      }
      return new HeraldConfig(
          dataDir,
          http,
          store,
          new HeraldConfig.Queue(queueType, redisDsn, string("redis_prefix")),
          new HeraldConfig.Cache(cacheType, redisDsn),
          new HeraldConfig.Auth(secret, org),
          readDelivery());
    }

    private HeraldConfig.Http readHttp() {
      String listen = string("listen_address");
      int colon = listen.lastIndexOf(':');
      if (colon <= 0) {
        throw bad("listen_address", listen, "expected host:port, e.g. 127.0.0.1:8071");
      }
      String host = listen.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(listen.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw bad("listen_address", listen, "port is not a number");
      }
      if (port < 0 || port > 65535) {
        throw bad("listen_address", listen, "port must be 0..65535");
      }
      long maxBody = positiveLong("max_request_body_bytes", 1024, 64L * 1024 * 1024);
      long ttlSeconds = positiveLong("idempotency_ttl_seconds", 1, 7 * 24 * 3600);
      long inFlight = positiveLong("max_in_flight_body_bytes", 0, 1L << 40);
      if (inFlight == 0) {
        inFlight = Runtime.getRuntime().maxMemory() / 16;
      }
      if (inFlight < maxBody) {
        throw bad(
            "max_in_flight_body_bytes",
            Long.toString(inFlight),
            "must be at least HERALD_MAX_REQUEST_BODY_BYTES (" + maxBody + ")");
      }
      return new HeraldConfig.Http(
          host,
          port,
          maxBody,
          Duration.ofSeconds(ttlSeconds),
          (int) positiveLong("max_concurrent_requests", 1, 1_000_000),
          inFlight,
          (int) positiveLong("api_rate_limit", 0, 1_000_000),
          Duration.ofMillis(positiveLong("body_read_timeout_ms", 100, 3_600_000)),
          (int) positiveLong("max_header_bytes", 1024, 1024 * 1024),
          (int) positiveLong("max_connections", 1, 1_000_000));
    }

    private HeraldConfig.Store readStore(Path dataDir) {
      String dsn = optional("db_dsn");
      int pool = (int) positiveLong("db_pool_max_size", 1, 1000);
      if (dsn == null) {
        String url = "jdbc:sqlite:" + dataDir.resolve("herald.db").toAbsolutePath();
        return new HeraldConfig.Store(HeraldConfig.StoreType.SQLITE, url, null, null, pool);
      }
      if (dsn.startsWith("sqlite:")) {
        String path = dsn.substring("sqlite:".length());
        if (path.startsWith("//")) {
          path = path.substring(2);
        }
        if (path.isEmpty()) {
          throw bad("db_dsn", dsn, "expected sqlite:<file path>");
        }
        return new HeraldConfig.Store(
            HeraldConfig.StoreType.SQLITE, "jdbc:sqlite:" + path, null, null, pool);
      }
      if (dsn.startsWith("postgresql://") || dsn.startsWith("postgres://")) {
        return postgres(dsn, pool);
      }
      throw bad("db_dsn", dsn, "expected postgresql://..., postgres://... or sqlite:<file>");
    }

    private HeraldConfig.Store postgres(String dsn, int pool) {
      URI uri;
      try {
        uri = new URI(dsn);
      } catch (URISyntaxException e) {
        throw bad("db_dsn", mask(dsn), "not a valid URL: " + e.getReason());
      }
      if (uri.getHost() == null) {
        throw bad("db_dsn", mask(dsn), "no host");
      }
      String user = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
        if (parts.length == 2) {
          password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        }
      }
      int port = uri.getPort() == -1 ? 5432 : uri.getPort();
      String db =
          uri.getPath() == null || uri.getPath().length() <= 1 ? "/postgres" : uri.getPath();
      String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
      String url = "jdbc:postgresql://" + uri.getHost() + ":" + port + db + query;
      return new HeraldConfig.Store(HeraldConfig.StoreType.POSTGRESQL, url, user, password, pool);
    }

    private void checkRedisDsn(String dsn) {
      try {
        URI uri = new URI(dsn);
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())
            || uri.getHost() == null) {
          throw bad("redis_dsn", mask(dsn), "expected redis://host:port");
        }
      } catch (URISyntaxException e) {
        throw bad("redis_dsn", mask(dsn), "not a valid URL: " + e.getReason());
      }
    }

    private HeraldConfig.Delivery readDelivery() {
      Duration request = Duration.ofMillis(positiveLong("request_timeout_ms", 100, 300_000));
      Duration attemptLease = Duration.ofMillis(positiveLong("attempt_lease_ms", 1000, 3_600_000));
      if (attemptLease.compareTo(request.multipliedBy(2)) < 0) {
        throw bad(
            "attempt_lease_ms",
            Long.toString(attemptLease.toMillis()),
            "must be at least twice HERALD_REQUEST_TIMEOUT_MS (" + request.toMillis() + ")");
      }
      return new HeraldConfig.Delivery(
          retrySchedule(),
          subnets(),
          choice("signature_headers", HeraldConfig.SignatureHeaders.class),
          Duration.ofMillis(positiveLong("connect_timeout_ms", 100, 300_000)),
          request,
          (int) positiveLong("worker_concurrency", 1, 100_000),
          (int) positiveLong("endpoint_concurrency", 1, 10_000),
          (int) positiveLong("queue_capacity", 1, 10_000_000),
          attemptLease,
          Duration.ofMillis(positiveLong("queue_lease_ms", 1000, 86_400_000)),
          Duration.ofMillis(positiveLong("sweep_interval_ms", 10, 600_000)),
          Duration.ofSeconds(positiveLong("endpoint_disable_after_seconds", 0, 365L * 86_400)));
    }

    private List<Duration> retrySchedule() {
      String raw = values.getOrDefault("retry_schedule", "");
      List<Duration> out = new ArrayList<>();
      for (String part : raw.split(",")) {
        String p = part.strip();
        if (p.isEmpty()) {
          continue;
        }
        try {
          long seconds = Long.parseLong(p);
          if (seconds < 0 || seconds > 30L * 24 * 3600) {
            throw bad("retry_schedule", raw, "each delay must be 0..2592000 seconds");
          }
          out.add(Duration.ofSeconds(seconds));
        } catch (NumberFormatException e) {
          throw bad("retry_schedule", raw, "expected comma-separated seconds, e.g. 5,300,1800");
        }
      }
      if (out.size() > 50) {
        throw bad("retry_schedule", raw, "at most 50 retries");
      }
      return List.copyOf(out);
    }

    private List<String> subnets() {
      String raw = values.getOrDefault("whitelist_subnets", "");
      List<String> out = new ArrayList<>();
      for (String part : raw.split(",")) {
        String p = part.strip();
        if (p.isEmpty()) {
          continue;
        }
        if (!Cidr.isValid(p)) {
          throw bad("whitelist_subnets", raw, "'" + p + "' is not a CIDR such as 10.0.0.0/8");
        }
        out.add(p);
      }
      return List.copyOf(out);
    }

    private String string(String key) {
      String v = values.get(key);
      if (v == null || v.isBlank()) {
        throw bad(key, v == null ? "" : v, "must not be empty");
      }
      return v.strip();
    }

    private String optional(String key) {
      String v = values.get(key);
      return v == null || v.isBlank() ? null : v.strip();
    }

    private long positiveLong(String key, long min, long max) {
      String v = string(key);
      try {
        long n = Long.parseLong(v);
        if (n < min || n > max) {
          throw bad(key, v, "must be between " + min + " and " + max);
        }
        return n;
      } catch (NumberFormatException e) {
        throw bad(key, v, "not a whole number");
      }
    }

    private <E extends Enum<E>> E choice(String key, Class<E> type) {
      String v = string(key);
      try {
        return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        List<String> names = new ArrayList<>();
        for (E c : type.getEnumConstants()) {
          names.add(c.name().toLowerCase(Locale.ROOT));
        }
        throw bad(key, v, "expected one of " + String.join(", ", names));
      }
    }
  }

  static ConfigException bad(String key, String value, String why) {
    return new ConfigException(
        "invalid setting "
            + ENV_PREFIX
            + key.toUpperCase(Locale.ROOT)
            + "='"
            + value
            + "': "
            + why);
  }

  /** Hides the password of a DSN for logs and error messages. */
  public static String mask(String dsn) {
    return dsn == null ? null : dsn.replaceAll("(://[^:/@]*:)[^@]*@", "$1****@");
  }
}
