package dev.herald.message;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.herald.core.Times;
import java.util.List;

/**
 * Svix's {@code MessageOut}. {@code payload} is written raw: the stored text, byte for byte, or
 * {@code {}} when the content was not asked for or has been expunged.
 */
public record MessageOut(
    String id,
    String eventType,
    String eventId,
    List<String> channels,
    List<String> tags,
    @JsonRawValue String payload,
    String timestamp) {

  /** What Svix shows in place of a payload that is absent. */
  static final String EMPTY_PAYLOAD = "{}";

  /** The message as Svix shows it; the payload only {@code withContent} (else {@code {}}). */
  public static MessageOut of(Message m, boolean withContent) {
    String payload = withContent && m.payload() != null ? m.payload() : EMPTY_PAYLOAD;
    return new MessageOut(
        m.id(),
        m.eventType(),
        m.eventId(),
        m.channels(),
        m.tags(),
        payload,
        Times.iso(m.createdAt()));
  }
}
