package dev.herald.attempt;

import dev.herald.core.Times;
import dev.herald.endpoint.Endpoint;
import java.util.List;

/**
 * Svix's {@code MessageEndpointOut}: an endpoint with the state of the latest delivery of one
 * message to it. Like {@code EndpointOut}, the filter and rate are written under both names.
 */
record DestinationOut(
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
    String createdAt,
    String updatedAt,
    int status,
    String statusText,
    String nextAttempt) {

  static DestinationOut of(Endpoint e, AttemptSql.Latest d) {
    return new DestinationOut(
        e.id(),
        e.uid(),
        e.url(),
        e.description() == null ? "" : e.description(),
        e.version(),
        e.disabled(),
        e.filterTypes(),
        e.filterTypes(),
        e.channels(),
        e.rateLimit(),
        e.rateLimit(),
        Times.iso(e.createdAt()),
        Times.iso(e.updatedAt()),
        d.status().code(),
        AttemptOut.text(d.status()),
        d.nextAttemptAt() == null ? null : Times.iso(d.nextAttemptAt()));
  }
}
