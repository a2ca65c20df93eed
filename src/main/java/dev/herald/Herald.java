package dev.herald;

import dev.herald.app.AppRoutes;
import dev.herald.app.AppService;
import dev.herald.app.PortalRoutes;
import dev.herald.auth.Tokens;
import dev.herald.config.HeraldConfig;
import dev.herald.endpoint.EndpointRoutes;
import dev.herald.endpoint.EndpointService;
import dev.herald.eventtype.EventTypeRoutes;
import dev.herald.eventtype.EventTypeService;
import dev.herald.message.MessageRoutes;
import dev.herald.message.MessageService;
import dev.herald.ops.HealthRoutes;
import dev.herald.ops.MetricsRoutes;
import dev.herald.ops.Telemetry;
import dev.herald.store.Store;
import dev.herald.store.Stores;
import dev.herald.web.Api;
import dev.herald.web.Json;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Herald: builds each seam from the configuration, wires the features, and starts and
 * stops them in order. Nothing here is static, so one JVM can run two Heralds (the tests do).
 */
public final class Herald implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Herald.class);

  /** File in the data dir that keeps a generated JWT secret. */
  static final String SECRET_FILE = "jwt-secret";

  private final HeraldConfig cfg;
  private final Store store;
  private final Tokens tokens;
  private final Api api;
  private final Telemetry telemetry;
  private final Javalin server;

  private Herald(HeraldConfig cfg, Clock clock) {
    this.cfg = cfg;
    SecretSource secret = jwtSecret(cfg);
    this.store = Stores.open(cfg.store());
    Telemetry meters = null;
    try {
      meters = new Telemetry(version());
      this.telemetry = meters;
      store.migrate();
      this.tokens = new Tokens(secret.secret(), clock);
      Json json = new Json(cfg.http().maxRequestBodyBytes());
      this.api = new Api(cfg.http(), json, tokens, store, clock);
      AppService apps = new AppService(store, json, clock);
      new HealthRoutes(api, store, cfg).register();
      new MetricsRoutes(api, telemetry).register();
      new AppRoutes(api, apps).register();
      new PortalRoutes(api, apps, tokens, store).register();
      new EventTypeRoutes(api, new EventTypeService(store, json, clock)).register();
      new MessageRoutes(api, new MessageService(store, json, apps, clock)).register();
      new EndpointRoutes(api, new EndpointService(store, apps, json, clock)).register();
      this.server = api.start();
    } catch (RuntimeException e) {
      if (meters != null) {
        meters.close();
      }
      store.close();
      throw e;
    }
    LOG.info(
        "Herald listening on http://{}:{} ({} store, {} queue, {} cache)",
        cfg.http().host(),
        server.port(),
        cfg.store().type().name().toLowerCase(),
        cfg.queue().type().name().toLowerCase(),
        cfg.cache().type().name().toLowerCase());
    if (secret.generated()) {
      LOG.info(
          "No HERALD_JWT_SECRET configured: using the secret kept in {}. Organisation token:\n\n"
              + "    {}\n",
          cfg.dataDir().resolve(SECRET_FILE),
          tokens.orgToken(cfg.auth().defaultOrgId()));
    }
  }

  /** Starts Herald with {@code cfg}; returns once it serves. */
  public static Herald start(HeraldConfig cfg, Clock clock) {
    return new Herald(cfg, clock);
  }

  public int port() {
    return server.port();
  }

  public Tokens tokens() {
    return tokens;
  }

  public HeraldConfig config() {
    return cfg;
  }

  /** The registered routes, method and path. */
  public List<Api.Route> routes() {
    return api.routes();
  }

  @Override
  public void close() {
    server.stop();
    store.close();
    telemetry.close();
  }

  /** This build's version, from the jar's manifest ({@code dev} when run from classes). */
  private static String version() {
    String v = Herald.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private record SecretSource(String secret, boolean generated) {}

  /** The configured secret, or the one kept in the data dir (generated on first start). */
  private static SecretSource jwtSecret(HeraldConfig cfg) {
    if (cfg.auth().jwtSecret() != null) {
      return new SecretSource(cfg.auth().jwtSecret(), false);
    }
    return new SecretSource(keptSecret(cfg.dataDir()), true);
  }

  /** Reads the generated secret from {@code dataDir}, creating it on first use. */
  public static String keptSecret(Path dataDir) {
    Path file = dataDir.resolve(SECRET_FILE);
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
      }
      Files.createDirectories(dataDir);
      byte[] raw = new byte[32];
      new SecureRandom().nextBytes(raw);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
      Path tmp = Files.createTempFile(dataDir, SECRET_FILE, ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: keep the default permissions
      }
      Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the JWT secret in " + file, e);
    }
  }
}
