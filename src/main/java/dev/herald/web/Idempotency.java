package dev.herald.web;

import dev.herald.core.HeraldError;
import dev.herald.core.Scope;
import dev.herald.store.Store;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Svix's {@code idempotency-key} for POST: the first 2xx answer to a key is kept in the database
 * (so every node sees it) and replayed for the same key, caller and path until the TTL passes.
 *
 * <p>Concurrency: the first request claims the key by inserting an in-progress row (status 0); the
 * unique key makes the claim atomic across nodes. A second request with the key waits for the first
 * up to {@link #WAIT}, then answers 409. A request that fails (non-2xx or exception) drops its
 * claim, so a retry runs again.
 */
final class Idempotency {
  /** Header name, as the Svix SDKs send it. */
  static final String HEADER = "idempotency-key";

  /** Longest key accepted. */
  static final int MAX_KEY_LENGTH = 256;

  /** How long a duplicate waits for the first request to finish. */
  static final Duration WAIT = Duration.ofSeconds(10);

  /** Poll interval while waiting. */
  static final long POLL_MS = 50;

  private static final int IN_PROGRESS = 0;

  private record Saved(int status, String body) {}

  private final Store store;
  private final Clock clock;
  private final Duration ttl;

  Idempotency(Store store, Clock clock, Duration ttl) {
    this.store = store;
    this.clock = clock;
    this.ttl = ttl;
  }

  Handler wrap(Handler handler) {
    return ctx -> {
      String key = ctx.header(HEADER);
      if (key == null || key.isEmpty()) {
        handler.handle(ctx);
        return;
      }
      if (key.length() > MAX_KEY_LENGTH) {
        throw HeraldError.Invalid.of(
            java.util.List.of("header", HEADER),
            "ensure this value has at most " + MAX_KEY_LENGTH + " characters",
            "value_error.any_str.max_length");
      }
      String hash = hash(ctx, key);
      Optional<Saved> saved = claim(hash);
      if (saved.isPresent()) {
        replay(ctx, saved.get());
        return;
      }
      boolean kept = false;
      try {
        handler.handle(ctx);
        int status = ctx.status().getCode();
        if (status >= 200 && status < 300) {
          byte[] body = ctx.attribute(Responses.BODY_ATTRIBUTE);
          String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
          store.write(
              tx ->
                  tx.update(
                      "UPDATE idempotency SET status = ?, body = ? WHERE key = ?",
                      status,
                      text,
                      hash));
          kept = true;
        }
      } finally {
        if (!kept) {
          store.write(
              tx ->
                  tx.update(
                      "DELETE FROM idempotency WHERE key = ? AND status = ?", hash, IN_PROGRESS));
        }
      }
    };
  }

  /** Claims {@code hash}; returns the saved answer when an earlier request already finished. */
  private Optional<Saved> claim(String hash) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      long now = clock.millis();
      long expired = now - ttl.toMillis();
      boolean claimed =
          store.write(
              tx -> {
                tx.update(
                    "DELETE FROM idempotency WHERE key = ? AND created_at < ?", hash, expired);
                // ON CONFLICT: a concurrent claim on another connection or node makes this a
                // no-op instead of a unique-key error.
                return tx.update(
                        "INSERT INTO idempotency (key, status, body, created_at)"
                            + " VALUES (?, ?, NULL, ?) ON CONFLICT (key) DO NOTHING",
                        hash,
                        IN_PROGRESS,
                        now)
                    == 1;
              });
      if (claimed) {
        return Optional.empty();
      }
      Optional<Saved> existing =
          store.read(
              tx ->
                  tx.one(
                      "SELECT status, body FROM idempotency WHERE key = ?",
                      rs -> new Saved(rs.getInt(1), rs.getString(2)),
                      hash));
      if (existing.isPresent() && existing.get().status() != IN_PROGRESS) {
        return existing;
      }
      if (System.nanoTime() > deadline) {
        throw new HeraldError.Conflict(
            "A request with this idempotency-key is still being processed.");
      }
      Thread.sleep(POLL_MS);
    }
  }

  private static void replay(Context ctx, Saved saved) {
    ctx.status(saved.status());
    ctx.header("idempotent-replayed", "true");
    if (saved.body() != null && !saved.body().isEmpty()) {
      byte[] bytes = saved.body().getBytes(StandardCharsets.UTF_8);
      ctx.attribute(Responses.BODY_ATTRIBUTE, bytes);
      ctx.contentType("application/json").result(bytes);
    } else {
      ctx.attribute(Responses.BODY_ATTRIBUTE, new byte[0]);
    }
  }

  private static String stripSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static String hash(Context ctx, String key) {
    Scope scope = Api.scope(ctx);
    String material =
        scope.orgId()
            + "\n"
            + scope.appId()
            + "\n"
            + ctx.method()
            + "\n"
            + stripSlash(ctx.path())
            + "\n"
            + key;
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(material.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
