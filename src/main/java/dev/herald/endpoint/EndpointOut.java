package dev.herald.endpoint;

import dev.herald.core.Times;
import java.util.List;
import java.util.Map;

/**
 * Svix's {@code EndpointOut}. The event-type filter is written twice, as {@code filterTypes} (the
 * SDK's name) and {@code eventTypes} (the open-source document's); the rate likewise, as {@code
 * throttleRate} and {@code rateLimit}.
 */
record EndpointOut(
    String id,
    String uid,
    String url,
    String description,
    int version,
    boolean disabled,
    List<String> filterTypes,
    List<String> eventTypes,
    List<String> channels,
    Integer throttleRate,
    Integer rateLimit,
    Map<String, String> metadata,
    String createdAt,
    String updatedAt) {

  static EndpointOut of(Endpoint e) {
    return new EndpointOut(
        e.id(),
        e.uid(),
        e.url(),
        e.description(),
        e.version(),
        e.disabled(),
        e.filterTypes(),
        e.filterTypes(),
        e.channels(),
        e.rateLimit(),
        e.rateLimit(),
        e.metadata(),
        Times.iso(e.createdAt()),
        Times.iso(e.updatedAt()));
  }

  /** Svix's {@code EndpointSecretOut}. */
  record SecretOut(String key) {}
}
