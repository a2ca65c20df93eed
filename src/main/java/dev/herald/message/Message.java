package dev.herald.message;

import java.util.List;

/**
 * A message row. {@code payload} is the JSON object text exactly as it will be delivered; null once
 * expunged. {@code eventId} is Svix's per-app unique uid.
 */
public record Message(
    String id,
    String appId,
    String eventType,
    String eventId,
    List<String> channels,
    List<String> tags,
    String payload,
    long createdAt,
    long expiresAt) {}
