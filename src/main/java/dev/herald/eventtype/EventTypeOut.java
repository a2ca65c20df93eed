package dev.herald.eventtype;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.herald.core.Times;

/** Svix's {@code EventTypeOut}; {@code schemas} is the stored JSON, written out raw. */
record EventTypeOut(
    String name,
    String description,
    boolean archived,
    boolean deprecated,
    String featureFlag,
    @JsonRawValue String schemas,
    String createdAt,
    String updatedAt) {

  static EventTypeOut of(EventType e) {
    return new EventTypeOut(
        e.name(),
        e.description(),
        e.archived(),
        e.deprecated(),
        e.featureFlag(),
        e.schemas(),
        Times.iso(e.createdAt()),
        Times.iso(e.updatedAt()));
  }
}
