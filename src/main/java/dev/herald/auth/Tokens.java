package dev.herald.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.JWTVerifier;
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

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final Clock clock;

  public Tokens(String secret, Clock clock) {
    this.algorithm = Algorithm.HMAC256(secret);
    this.clock = clock;
    this.verifier = JWT.require(algorithm).acceptLeeway(5).build();
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
    return new Scope(org, app);
  }
}
