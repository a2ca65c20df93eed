package dev.herald.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Herald's whole configuration: one immutable tree, loaded and validated once by {@link
 * ConfigLoader}, then shared. Every key is documented in the shipped {@code herald.default.toml}.
 */
public record HeraldConfig(
    Path dataDir, Http http, Store store, Queue queue, Cache cache, Auth auth, Delivery delivery) {

  /**
   * The HTTP API and its bounds. {@code maxInFlightBodyBytes} is resolved at load (0 in the file
   * means a sixteenth of the maximum heap).
   */
  public record Http(
      String host,
      int port,
      long maxRequestBodyBytes,
      Duration idempotencyTtl,
      int maxConcurrentRequests,
      long maxInFlightBodyBytes,
      int apiRateLimit,
      Duration bodyReadTimeout,
      int maxHeaderBytes,
      int maxConnections) {}

  /** The database. {@code dsn} is a JDBC URL after loading. */
  public record Store(StoreType type, String jdbcUrl, String user, String password, int poolSize) {}

  /** Which database. */
  public enum StoreType {
    SQLITE,
    POSTGRESQL
  }

  /** The delivery queue. {@code redisPrefix} starts every Redis key Herald uses. */
  public record Queue(QueueType type, String redisDsn, String redisPrefix) {}

  /** Which queue. */
  public enum QueueType {
    MEMORY,
    REDIS
  }

  /** The cache. */
  public record Cache(CacheType type, String redisDsn) {}

  /** Which cache. */
  public enum CacheType {
    MEMORY,
    REDIS,
    NONE
  }

  /**
   * Authentication. {@code jwtSecret} is null when none was configured; the server then generates
   * and keeps one in the data dir (embedded mode only).
   */
  public record Auth(String jwtSecret, String defaultOrgId) {}

  /** The delivery engine. */
  public record Delivery(
      List<Duration> retrySchedule,
      List<String> whitelistSubnets,
      SignatureHeaders signatureHeaders,
      Duration connectTimeout,
      Duration requestTimeout,
      int workerConcurrency,
      int endpointConcurrency,
      int queueCapacity,
      Duration attemptLease,
      Duration queueLease,
      Duration sweepInterval,
      Duration disableAfter) {}

  /** Which webhook header names a delivery carries. */
  public enum SignatureHeaders {
    /** {@code svix-id}, {@code svix-timestamp}, {@code svix-signature}. */
    SVIX,
    /** {@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}. */
    WEBHOOK,
    /** Both sets. */
    BOTH
  }
}
