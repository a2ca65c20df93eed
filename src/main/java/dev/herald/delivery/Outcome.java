package dev.herald.delivery;

/** How a delivery ended, as kept in {@code delivery.outcome}. */
public enum Outcome {
  /** An attempt got a 2xx. */
  DELIVERED("delivered"),
  /** Every attempt of the schedule failed (or the one attempt of a manual resend). */
  EXHAUSTED("exhausted"),
  /** The endpoint was disabled before the delivery ended. */
  ENDPOINT_DISABLED("endpoint_disabled"),
  /** The endpoint was deleted before the delivery ended. */
  ENDPOINT_DELETED("endpoint_deleted"),
  /** The message's payload was expunged before the delivery ended. */
  MESSAGE_EXPUNGED("message_expunged");

  private final String text;

  Outcome(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
