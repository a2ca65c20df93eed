package dev.herald.opwebhook;

import dev.herald.core.Times;
import dev.herald.endpoint.Endpoint;
import java.util.List;
import java.util.Map;

/**
 * Svix's {@code OperationalWebhookEndpointOut}. The event-type filter is written as {@code
 * filterTypes} (the SDK's name) and {@code eventTypes} (the document's); the rate as {@code
 * throttleRate} and {@code rateLimit}, like the application endpoints.
 */
record OperationalEndpointOut(
    String id,
    String uid,
    String url,
    String description,
    boolean disabled,
    List<String> filterTypes,
    List<String> eventTypes,
    Integer throttleRate,
    Integer rateLimit,
    Map<String, String> metadata,
    String createdAt,
    String updatedAt) {

  static OperationalEndpointOut of(Endpoint e) {
    return new OperationalEndpointOut(
        e.id(),
        e.uid(),
        e.url(),
        e.description(),
        e.disabled(),
        e.filterTypes(),
        e.filterTypes(),
        e.rateLimit(),
        e.rateLimit(),
        e.metadata(),
        Times.iso(e.createdAt()),
        Times.iso(e.updatedAt()));
  }

  /** Svix's {@code OperationalWebhookEndpointSecretOut}. */
  record SecretOut(String key) {}
}
