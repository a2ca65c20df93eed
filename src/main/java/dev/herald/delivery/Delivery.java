package dev.herald.delivery;

/**
 * One delivery of a message to an endpoint. {@code nextAttemptAt} is set while it is pending and
 * null once it ended; {@code outcome} then says how.
 */
public record Delivery(
    String id,
    String appId,
    String msgId,
    String endpointId,
    Status status,
    int triggerType,
    int attempts,
    Long nextAttemptAt,
    String outcome,
    long createdAt,
    long updatedAt) {

  /** {@code trigger_type} of a delivery from the fan-out, retried on the schedule. */
  public static final int SCHEDULED = 0;

  /** {@code trigger_type} of a manual resend: one attempt, never retried. */
  public static final int MANUAL = 1;
}
