package dev.herald.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.herald.core.HeraldError;
import dev.herald.core.Ids;
import dev.herald.core.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TokensTest {
  private static final String SECRET = "test-secret-of-reasonable-length-0123456789";

  private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final Tokens tokens = new Tokens(SECRET, clock);
  private final String org = Ids.next(Ids.Prefix.ORG, clock.instant());
  private final String app = Ids.next(Ids.Prefix.APP, clock.instant());

  @Test
  void a_cached_token_still_authenticates() {
    String token = tokens.appToken(org, app);
    assertThat(tokens.authenticate("Bearer " + token)).isEqualTo(new Scope(org, app));
    assertThat(tokens.cachedTokens()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(30));
    assertThat(tokens.authenticate("Bearer " + token)).isEqualTo(new Scope(org, app));
    assertThat(tokens.authenticate("bearer  " + token + " ")).isEqualTo(new Scope(org, app));
    assertThat(tokens.cachedTokens()).isEqualTo(1);

    String orgToken = tokens.orgToken(org);
    assertThat(tokens.authenticate("Bearer " + orgToken)).isEqualTo(Scope.org(org));
    assertThat(tokens.authenticate("Bearer " + orgToken)).isEqualTo(Scope.org(org));
    assertThat(tokens.cachedTokens()).isEqualTo(2);
  }

  @Test
  void an_expired_token_is_refused_even_if_it_was_cached_while_valid() {
    String token = token(SECRET, org, clock.instant().plusSeconds(30));
    assertThat(tokens.authenticate("Bearer " + token)).isEqualTo(Scope.org(org));
    assertThat(tokens.cachedTokens()).isEqualTo(1);

    // Past exp but inside the verifier's 5 s leeway: still accepted, as before the cache.
    clock.advance(Duration.ofSeconds(31));
    assertThat(tokens.cachedTokens()).as("cache entry ends at exp").isZero();
    assertThat(tokens.authenticate("Bearer " + token)).isEqualTo(Scope.org(org));

    // Past the leeway: refused, though it was cached twice.
    clock.advance(Duration.ofSeconds(5));
    assertThatThrownBy(() -> tokens.authenticate("Bearer " + token))
        .isInstanceOf(HeraldError.Unauthorized.class)
        .hasMessage("Invalid token.");
    assertThat(tokens.cachedTokens()).isZero();
  }

  @Test
  void an_app_token_is_refused_after_its_seven_days_though_used_all_along() {
    String token = tokens.appToken(org, app);
    Instant expires = clock.instant().plus(Tokens.APP_TOKEN_TTL);
    while (clock.instant().isBefore(expires.minusSeconds(60))) {
      assertThat(tokens.authenticate("Bearer " + token)).isEqualTo(new Scope(org, app));
      clock.advance(Duration.ofMinutes(17));
    }
    clock.set(expires.minusSeconds(1));
    assertThat(tokens.authenticate("Bearer " + token)).isEqualTo(new Scope(org, app));
    clock.set(expires.plusSeconds(6));
    assertThatThrownBy(() -> tokens.authenticate("Bearer " + token))
        .isInstanceOf(HeraldError.Unauthorized.class)
        .hasMessage("Invalid token.");
  }

  @Test
  void a_token_is_kept_sixty_seconds_at_most() {
    tokens.authenticate("Bearer " + tokens.orgToken(org)); // no exp
    tokens.authenticate("Bearer " + tokens.appToken(org, app)); // exp in 7 days
    assertThat(tokens.cachedTokens()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(59));
    assertThat(tokens.cachedTokens()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(2));
    assertThat(tokens.cachedTokens()).isZero();
  }

  @Test
  void a_forged_token_is_refused_and_not_cached() {
    String good = tokens.orgToken(org);
    assertThat(tokens.authenticate("Bearer " + good)).isEqualTo(Scope.org(org));

    String otherOrg = Ids.next(Ids.Prefix.ORG, clock.instant());
    String wrongKey = token("some-other-secret-0123456789abcdef", otherOrg, null);
    String[] goodParts = good.split("\\.");
    String[] otherParts = token(SECRET, otherOrg, null).split("\\.");
    // The other organisation's claims under the cached token's signature.
    String swapped = goodParts[0] + "." + otherParts[1] + "." + goodParts[2];
    String unsigned = goodParts[0] + "." + goodParts[1] + ".";
    for (String forged : new String[] {wrongKey, swapped, unsigned, good + "x", "not.a.jwt"}) {
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> tokens.authenticate("Bearer " + forged))
            .as(forged)
            .isInstanceOf(HeraldError.Unauthorized.class)
            .hasMessage("Invalid token.");
      }
    }
    assertThat(tokens.cachedTokens()).isEqualTo(1);
  }

  @Test
  void a_token_with_a_foreign_subject_is_refused() {
    String token = token(SECRET, "user_123", null);
    assertThatThrownBy(() -> tokens.authenticate("Bearer " + token))
        .isInstanceOf(HeraldError.Unauthorized.class)
        .hasMessage("Invalid token.");
    assertThat(tokens.cachedTokens()).isZero();
  }

  @Test
  void bad_headers_are_refused_as_before() {
    String token = tokens.orgToken(org);
    tokens.authenticate("Bearer " + token);
    assertThatThrownBy(() -> tokens.authenticate(null))
        .isInstanceOf(HeraldError.Unauthorized.class)
        .hasMessage("Missing Authorization header.");
    assertThatThrownBy(() -> tokens.authenticate(token))
        .isInstanceOf(HeraldError.Unauthorized.class)
        .hasMessage("Authorization header must be 'Bearer <token>'.");
    assertThatThrownBy(
            () -> tokens.authenticate("Bearer " + token + " ".repeat(Tokens.MAX_HEADER_LENGTH)))
        .isInstanceOf(HeraldError.Unauthorized.class)
        .hasMessage("Invalid token.");
  }

  @Test
  void the_cache_stays_bounded() {
    assertThat(tokens.cacheLimit()).isEqualTo(10_000);
    // Minting 10,000 tokens takes seconds; the same bound on a small cache shows it holds.
    Tokens small = new Tokens(SECRET, clock, 50);
    assertThat(small.cacheLimit()).isEqualTo(50);
    String last = null;
    for (int i = 0; i < 500; i++) {
      last = small.orgToken(Ids.next(Ids.Prefix.ORG, clock.instant()));
      small.authenticate("Bearer " + last);
      assertThat(small.cachedTokens()).isLessThanOrEqualTo(50);
    }
    assertThat(small.cachedTokens()).isPositive();
    assertThat(small.authenticate("Bearer " + last).orgId()).startsWith("org_");
  }

  /** An HS256 token as Herald issues them, signed with {@code secret}; no exp when null. */
  private String token(String secret, String subject, Instant expiresAt) {
    var builder =
        JWT.create()
            .withIssuer(Tokens.ISSUER)
            .withSubject(subject)
            .withIssuedAt(clock.instant())
            .withNotBefore(clock.instant().minusSeconds(5));
    if (expiresAt != null) {
      builder.withExpiresAt(expiresAt);
    }
    return builder.sign(Algorithm.HMAC256(secret));
  }

  /** A clock the test moves by hand. */
  private static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
