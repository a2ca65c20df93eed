package dev.herald.opwebhook;

/**
 * The bodies of Svix's operational webhooks: {@code {"type": ..., "data": {...}}}, the data in
 * Svix's shapes ({@code EndpointCreatedEventData}, {@code EndpointDisabledEventData}, {@code
 * MessageAttemptExhaustedEventData} and their siblings). Times are ISO-8601 UTC.
 */
final class Events {
  static final String ENDPOINT_CREATED = "endpoint.created";
  static final String ENDPOINT_UPDATED = "endpoint.updated";
  static final String ENDPOINT_DELETED = "endpoint.deleted";
  static final String ENDPOINT_DISABLED = "endpoint.disabled";
  static final String ATTEMPT_EXHAUSTED = "message.attempt.exhausted";
  static final String ATTEMPT_FAILING = "message.attempt.failing";
  static final String ATTEMPT_RECOVERED = "message.attempt.recovered";

  /** {@code trigger} of an endpoint disabled by the failure lifecycle. */
  static final String AUTOMATIC = "automatic";

  /** {@code trigger} of an endpoint disabled through the API. */
  static final String MANUAL = "manual";

  private Events() {}

  /** The webhook body. */
  record Event(String type, Object data) {}

  /** {@code endpoint.created}, {@code endpoint.updated}, {@code endpoint.deleted}. */
  record EndpointData(String appId, String appUid, String endpointId, String endpointUid) {}

  /** {@code endpoint.disabled}. */
  record DisabledData(
      String appId,
      String appUid,
      String endpointId,
      String endpointUid,
      String failSince,
      String trigger) {}

  /** {@code message.attempt.*}. */
  record AttemptData(
      String appId,
      String appUid,
      String msgId,
      String msgEventId,
      String endpointId,
      LastAttempt lastAttempt) {}

  /** Svix's {@code MessageAttemptFailedData}. */
  record LastAttempt(String id, int responseStatusCode, String timestamp) {}
}
