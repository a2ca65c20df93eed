package dev.herald.endpoint;

import dev.herald.web.Input;
import java.time.Duration;

/**
 * Svix's {@code EndpointSecretRotateIn}: the new key (null: Herald generates one) and how long the
 * old key keeps signing (24 h when absent, at most 7 days).
 */
public record RotateIn(String key, Duration grace) {
  public static RotateIn read(Input in) {
    String key = Secrets.read(in, "key");
    Integer grace = in.optionalInt("gracePeriodSeconds", 0, EndpointService.MAX_GRACE.toSeconds());
    return new RotateIn(
        key, grace == null ? EndpointService.DEFAULT_GRACE : Duration.ofSeconds(grace));
  }
}
