package dev.herald.app;

import java.util.Map;

/** An application row. */
public record App(
    String id,
    String orgId,
    String uid,
    String name,
    Integer rateLimit,
    Map<String, String> metadata,
    long createdAt,
    long updatedAt) {}
