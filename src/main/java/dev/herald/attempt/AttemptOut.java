package dev.herald.attempt;

import dev.herald.core.Times;
import dev.herald.delivery.Attempt;
import dev.herald.delivery.Status;
import dev.herald.message.MessageOut;

/**
 * Svix's {@code MessageAttemptOut}. {@code response} is the captured response body, or {@link
 * #EXPUNGED} once its content was deleted, or empty when the list was asked {@code
 * with_content=false}; {@code msg} is the message (without its payload) when asked {@code
 * with_msg=true}, else null.
 */
record AttemptOut(
    String id,
    String msgId,
    String endpointId,
    String url,
    String response,
    int responseStatusCode,
    long responseDurationMs,
    int status,
    String statusText,
    int triggerType,
    String timestamp,
    MessageOut msg) {

  /** What an expunged response reads as (Svix writes this text in its place). */
  static final String EXPUNGED = "EXPUNGED";

  static AttemptOut of(Attempt a, boolean withContent, MessageOut msg) {
    String response = !withContent ? "" : a.response() == null ? EXPUNGED : a.response();
    return new AttemptOut(
        a.id(),
        a.msgId(),
        a.endpointId(),
        a.url(),
        response,
        a.responseStatusCode(),
        a.responseDurationMs(),
        a.status().code(),
        text(a.status()),
        a.triggerType(),
        Times.iso(a.createdAt()),
        msg);
  }

  /** Svix's {@code MessageStatusText}. */
  static String text(Status s) {
    return switch (s) {
      case SUCCESS -> "success";
      case PENDING -> "pending";
      case FAIL -> "fail";
      case SENDING -> "sending";
    };
  }
}
