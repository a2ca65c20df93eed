package dev.herald.endpoint;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An endpoint row. {@code filterTypes} and {@code channels} are null when the endpoint takes every
 * event type or every channel. {@code secret} always carries the {@code whsec_} prefix; {@code
 * oldSecrets} are the keys rotated away, each valid until its {@code expiresAt}.
 */
public record Endpoint(
    String id,
    String appId,
    String uid,
    String url,
    String description,
    int version,
    Integer rateLimit,
    boolean disabled,
    List<String> filterTypes,
    List<String> channels,
    Map<String, String> metadata,
    Map<String, String> headers,
    String secret,
    List<OldKey> oldSecrets,
    long createdAt,
    long updatedAt) {

  /** A key rotated away, still accepted for signing until {@code expiresAt} (epoch millis). */
  public record OldKey(String key, long expiresAt) {}

  /**
   * The secret as the API shows it: {@code whsec_…}, or the public {@code whpk_…} of an Ed25519
   * key.
   */
  public String shownSecret() {
    return Secrets.shown(secret);
  }

  /** The current key first, then every old key still valid at {@code now}. */
  public List<String> signingKeys(Instant now) {
    List<String> keys = new ArrayList<>();
    keys.add(secret);
    for (OldKey old : oldSecrets) {
      if (old.expiresAt() > now.toEpochMilli()) {
        keys.add(old.key());
      }
    }
    return List.copyOf(keys);
  }

  /**
   * True when a message of {@code eventType} on {@code messageChannels} goes to this endpoint:
   * enabled, the event type in {@code filterTypes} (or no filter), and, when the endpoint listens
   * to channels, at least one channel in common (a message without channels reaches only endpoints
   * without channels).
   */
  public boolean accepts(String eventType, List<String> messageChannels) {
    if (disabled) {
      return false;
    }
    if (filterTypes != null && !filterTypes.contains(eventType)) {
      return false;
    }
    if (channels == null) {
      return true;
    }
    return messageChannels != null && messageChannels.stream().anyMatch(channels::contains);
  }
}
