package dev.herald.attempt;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.herald.core.Times;
import dev.herald.message.Message;
import dev.herald.message.MessageOut;
import java.util.List;

/**
 * Svix's {@code EndpointMessageOut}: a message with the state of its latest delivery to one
 * endpoint ({@code nextAttempt} is set while a retry is scheduled).
 */
record AttemptedMessageOut(
    String id,
    String eventType,
    String eventId,
    List<String> channels,
    List<String> tags,
    @JsonRawValue String payload,
    String timestamp,
    int status,
    String statusText,
    String nextAttempt,
    String deliverAt) {

  static AttemptedMessageOut of(Message m, AttemptSql.Latest d, boolean withContent) {
    MessageOut out = MessageOut.of(m, withContent);
    return new AttemptedMessageOut(
        out.id(),
        out.eventType(),
        out.eventId(),
        out.channels(),
        out.tags(),
        out.payload(),
        out.timestamp(),
        d.status().code(),
        AttemptOut.text(d.status()),
        d.nextAttemptAt() == null ? null : Times.iso(d.nextAttemptAt()),
        null);
  }
}
