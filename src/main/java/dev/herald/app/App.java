package dev.herald.app;

import java.util.Map;

/**
 * An application row. {@code internal} marks the hidden application that carries an organisation's
 * operational webhooks: the application API never shows it.
 */
public record App(
    String id,
    String orgId,
    String uid,
    String name,
    Integer rateLimit,
    Map<String, String> metadata,
    long createdAt,
    long updatedAt,
    boolean internal) {}
