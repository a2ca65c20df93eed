package dev.herald;

import dev.herald.app.AppRoutes;
import dev.herald.app.AppService;
import dev.herald.app.PortalRoutes;
import dev.herald.attempt.AttemptRoutes;
import dev.herald.attempt.AttemptService;
import dev.herald.attempt.Redelivery;
import dev.herald.auth.Tokens;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.delivery.FreshDeliveries;
import dev.herald.dispatch.Dispatcher;
import dev.herald.dispatch.RetryPolicy;
import dev.herald.dispatch.Sender;
import dev.herald.dispatch.SsrfGuard;
import dev.herald.endpoint.EndpointEvents;
import dev.herald.endpoint.EndpointRoutes;
import dev.herald.endpoint.EndpointService;
import dev.herald.endpoint.LiveEndpoints;
import dev.herald.eventtype.EventTypeRoutes;
import dev.herald.eventtype.EventTypeService;
import dev.herald.message.MessageRoutes;
import dev.herald.message.MessageService;
import dev.herald.ops.Gauges;
import dev.herald.ops.HealthRoutes;
import dev.herald.ops.MetricsRoutes;
import dev.herald.ops.OpenApiRoutes;
import dev.herald.ops.Telemetry;
import dev.herald.opwebhook.OperationalEvents;
import dev.herald.opwebhook.OperationalWebhookRoutes;
import dev.herald.opwebhook.OperationalWebhookService;
import dev.herald.queue.DeliveryQueue;
import dev.herald.queue.InMemoryDeliveryQueue;
import dev.herald.queue.RedisStreamDeliveryQueue;
import dev.herald.store.Dialect;
import dev.herald.store.RowCache;
import dev.herald.store.Store;
import dev.herald.store.Stores;
import dev.herald.web.Admission;
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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
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

  /**
   * How long a cached application or endpoint list may lag a write made on another node (this
   * node's own writes drop the entry at once).
   */
  static final Duration CACHE_TTL = Duration.ofSeconds(1);

  /** Applications the cache holds at most. */
  static final long MAX_CACHED_APPS = 10_000;

  /** Endpoints the cache holds at most, over all applications. */
  static final long MAX_CACHED_ENDPOINTS = 20_000;

  private final HeraldConfig cfg;
  private final Tokens tokens;
  private final Api api;
  private final Javalin server;
  private final Dispatcher dispatcher;

  /** What {@link #close} stops, in order: the API first, the store and meters last. */
  private final Deque<AutoCloseable> closers = new ArrayDeque<>();

  private Herald(HeraldConfig cfg, Clock clock) {
    this.cfg = cfg;
    SecretSource secret = jwtSecret(cfg);
    try {
      Telemetry telemetry = closing(new Telemetry(version()));
      Store store = closing(Stores.open(cfg.store()));
      store.migrate();
      DeliveryLedger ledger = new DeliveryLedger();
      if (store.dialect() == Dialect.SQLITE) {
        // The embedded store has one node: after a restart no queue or worker holds anything.
        int released = store.write(tx -> ledger.releaseAll(tx, clock.millis()));
        if (released > 0) {
          LOG.info("released {} deliveries leased before the last stop", released);
        }
      }
      DeliveryQueue queue = closing(queue(cfg));
      Sender sender = closing(sender(cfg.delivery(), clock));
      this.tokens = new Tokens(secret.secret(), clock);
      Json json = new Json(cfg.http().maxRequestBodyBytes());
      this.api = new Api(cfg.http(), json, tokens, store, clock);
      boolean caching = cfg.cache().type() != HeraldConfig.CacheType.NONE;
      AppService apps =
          new AppService(
              store,
              json,
              clock,
              caching ? RowCache.of(MAX_CACHED_APPS, (k, v) -> 1, CACHE_TTL) : RowCache.disabled());
      RowCache<String, LiveEndpoints> endpointCache =
          caching ? EndpointService.cache(MAX_CACHED_ENDPOINTS, CACHE_TTL) : RowCache.disabled();
      // Reports nothing: reads for the fan-out, and the operational endpoints themselves.
      EndpointService quietEndpoints =
          new EndpointService(store, apps, json, clock, EndpointEvents.NONE, endpointCache);
      FreshDeliveries fresh = new FreshDeliveries(cfg.delivery().queueLease());
      MessageService messages =
          new MessageService(
              store,
              json,
              apps,
              quietEndpoints,
              ledger,
              queue,
              fresh,
              cfg.delivery().queueLease(),
              clock);
      OperationalEvents events = new OperationalEvents(apps, quietEndpoints, messages, json);
      EndpointService endpoints =
          new EndpointService(store, apps, json, clock, events, endpointCache);
      this.dispatcher =
          closing(
              new Dispatcher(
                  store,
                  ledger,
                  queue,
                  sender,
                  endpoints,
                  messages,
                  fresh,
                  events,
                  new RetryPolicy(cfg.delivery().retrySchedule(), Math::random),
                  cfg.delivery(),
                  clock,
                  telemetry.registry()));
      Gauges.register(telemetry.registry(), api.admission(), queue, store, clock);
      Gauges.batches(telemetry.registry(), "accept", messages, MessageService::acceptCounts);
      Gauges.batches(telemetry.registry(), "record", dispatcher, Dispatcher::recordCounts);
      new HealthRoutes(api, store, cfg).register();
      new MetricsRoutes(api, telemetry).register();
      new OpenApiRoutes(api).register();
      new AppRoutes(api, apps).register();
      new PortalRoutes(api, apps, tokens, store).register();
      EventTypeService eventTypes = new EventTypeService(store, json, clock);
      new EventTypeRoutes(api, eventTypes).register();
      new MessageRoutes(api, messages).register();
      new EndpointRoutes(api, endpoints).register();
      new AttemptRoutes(
              api,
              new AttemptService(store, json, apps, endpoints, messages),
              new Redelivery(
                  store,
                  json,
                  apps,
                  endpoints,
                  messages,
                  eventTypes,
                  ledger,
                  queue,
                  cfg.delivery().queueLease(),
                  clock))
          .register();
      new OperationalWebhookRoutes(api, new OperationalWebhookService(store, apps, quietEndpoints))
          .register();
      dispatcher.start();
      this.server = api.start();
      closers.push(server::stop);
    } catch (RuntimeException e) {
      close();
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

  private <T extends AutoCloseable> T closing(T resource) {
    closers.push(resource);
    return resource;
  }

  private static DeliveryQueue queue(HeraldConfig cfg) {
    return switch (cfg.queue().type()) {
      case MEMORY -> new InMemoryDeliveryQueue(cfg.delivery().queueCapacity());
      case REDIS ->
          new RedisStreamDeliveryQueue(
              cfg.queue().redisDsn(),
              cfg.queue().redisPrefix(),
              RedisStreamDeliveryQueue.newConsumerName(),
              cfg.delivery().queueCapacity(),
              cfg.delivery().attemptLease());
    };
  }

  private static Sender sender(HeraldConfig.Delivery d, Clock clock) {
    return new Sender(
        new SsrfGuard(d.whitelistSubnets()),
        Sender.Settings.defaults().withTimeouts(d.connectTimeout(), d.requestTimeout()),
        clock);
  }

  /** Starts Herald with {@code cfg}; returns once it serves. */
  public static Herald start(HeraldConfig cfg, Clock clock) {
    return new Herald(cfg, clock);
  }

  public int port() {
    return server.port();
  }

  /** The API's admission control (in-flight requests and bytes, refusals). */
  public Admission admission() {
    return api.admission();
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

  /** Stops serving, lets attempts in flight record their outcome, then releases everything. */
  @Override
  public void close() {
    while (!closers.isEmpty()) {
      try {
        closers.pop().close();
      } catch (Exception e) {
        LOG.warn("error while stopping", e);
      }
    }
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
