package dev.herald.eventtype;

/**
 * An event type row. {@code schemas} is the stored JSON text of Svix's versioned schemas (an object
 * of objects), or null; it is written back as it is, never re-parsed.
 */
public record EventType(
    String id,
    String orgId,
    String name,
    String description,
    boolean archived,
    boolean deprecated,
    String featureFlag,
    String schemas,
    long createdAt,
    long updatedAt) {}
