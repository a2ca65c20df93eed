package dev.herald.delivery;

/** One HTTP attempt of a delivery, as the attempt log shows it. */
public record Attempt(
    String id,
    String appId,
    String msgId,
    String endpointId,
    String deliveryId,
    String url,
    Status status,
    int responseStatusCode,
    String response,
    long responseDurationMs,
    int triggerType,
    long createdAt) {}
