package dev.herald.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier.BaseVerification;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.JWTVerifier;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.herald.core.Caches;
import dev.herald.core.HeraldError;
import dev.herald.core.Ids;
import dev.herald.core.Scope;
import dev.herald.web.Authenticator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * API tokens: HS256 JWTs, as Svix's server issues them. {@code sub} is the organisation id; an
 * app-scoped token (app-portal access) also carries the application id in {@code app}. Tokens
 * without {@code exp} do not expire, like those of {@code svix-server jwt generate}.
 *
 * <p>Verifying an HS256 signature on every request is a noticeable share of a request's CPU, and
 * clients send the same token again and again, so a token that verified is remembered with the
 * scope it grants, for at most {@link #CACHE_TTL} and never past its own {@code exp}. Failures are
 * not remembered. Verification and the cache both read the clock given to the constructor.
 */
public final class Tokens implements Authenticator {
  /** Issuer written into every token. */
  static final String ISSUER = "herald";

  /** Claim holding the application id of an app-scoped token. */
  static final String APP_CLAIM = "app";

  /** Lifetime of an app-portal token. */
  public static final Duration APP_TOKEN_TTL = Duration.ofDays(7);

  /** Longest Authorization header examined. */
  static final int MAX_HEADER_LENGTH = 8192;

  /** Most verified tokens remembered. */
  static final int CACHE_SIZE = 10_000;

  /** Longest a verified token is remembered (shorter when it expires sooner). */
  static final Duration CACHE_TTL = Duration.ofSeconds(60);

  /** A token that verified: the scope it grants and its {@code exp}, null when it has none. */
  private record Verified(Scope scope, Instant expiresAt) {}

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final Clock clock;
  private final Cache<String, Verified> verified;

  public Tokens(String secret, Clock clock) {
    this(secret, clock, CACHE_SIZE);
  }

  /** With room for {@code cacheSize} verified tokens; tests use a small one. */
  Tokens(String secret, Clock clock, int cacheSize) {
    this.algorithm = Algorithm.HMAC256(secret);
    this.clock = clock;
    // The verifier reads the same clock as the cache, so both agree on when a token expires.
    this.verifier = ((BaseVerification) JWT.require(algorithm).acceptLeeway(5)).build(clock);
    this.verified =
        Caches.newBuilder()
            .maximumSize(cacheSize)
            .ticker(() -> clock.millis() * 1_000_000) // wall clock, like exp
            .expireAfter(Expiry.writing((String token, Verified v) -> keep(v)))
            .build();
  }

  /** How long to remember {@code v}: {@link #CACHE_TTL}, cut short by its {@code exp}. */
  private Duration keep(Verified v) {
    if (v.expiresAt() == null) {
      return CACHE_TTL;
    }
    Duration left = Duration.between(clock.instant(), v.expiresAt());
    return left.isNegative() ? Duration.ZERO : left.compareTo(CACHE_TTL) < 0 ? left : CACHE_TTL;
  }

  /** An organisation token without expiry. */
  public String orgToken(String orgId) {
    return JWT.create()
        .withIssuer(ISSUER)
        .withSubject(orgId)
        .withIssuedAt(clock.instant())
        .withNotBefore(clock.instant().minusSeconds(5))
        .sign(algorithm);
  }

  /** A token that reaches only application {@code appId}, valid for {@link #APP_TOKEN_TTL}. */
  public String appToken(String orgId, String appId) {
    Instant now = clock.instant();
    return JWT.create()
        .withIssuer(ISSUER)
        .withSubject(orgId)
        .withClaim(APP_CLAIM, appId)
        .withIssuedAt(now)
        .withNotBefore(now.minusSeconds(5))
        .withExpiresAt(now.plus(APP_TOKEN_TTL))
        .sign(algorithm);
  }

  @Override
  public Scope authenticate(String header) {
    if (header == null || header.isBlank()) {
      throw new HeraldError.Unauthorized("Missing Authorization header.");
    }
    if (header.length() > MAX_HEADER_LENGTH) {
      throw new HeraldError.Unauthorized("Invalid token.");
    }
    String token = header.strip();
    if (token.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = token.substring(7).strip();
    } else {
      throw new HeraldError.Unauthorized("Authorization header must be 'Bearer <token>'.");
    }
    Verified known = verified.getIfPresent(token);
    if (known != null) {
      return known.scope();
    }
    Verified v = verify(token);
    verified.put(token, v);
    return v.scope();
  }

  /** Verifies {@code token} in full; throws 401 when it is not one of ours or not valid now. */
  private Verified verify(String token) {
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(token);
    } catch (JWTVerificationException e) {
      throw new HeraldError.Unauthorized("Invalid token.");
    }
    String org = jwt.getSubject();
    if (!Ids.Prefix.ORG.matches(org)) {
      throw new HeraldError.Unauthorized("Invalid token.");
    }
    String app = jwt.getClaim(APP_CLAIM).asString();
    if (app != null && !Ids.Prefix.APP.matches(app)) {
      throw new HeraldError.Unauthorized("Invalid token.");
    }
    return new Verified(new Scope(org, app), jwt.getExpiresAtAsInstant());
  }

  /** Tokens remembered now, after pending evictions; for tests. */
  long cachedTokens() {
    verified.cleanUp();
    return verified.estimatedSize();
  }

  /** Most tokens remembered; for tests. */
  long cacheLimit() {
    return verified.policy().eviction().orElseThrow().getMaximum();
  }
}
