package dev.herald.attempt;

/**
 * Svix's {@code EndpointStats}: how many messages' latest delivery to the endpoint is in each
 * state. Herald never cancels, so {@code canceled} is always 0.
 */
record StatsOut(long success, long pending, long sending, long fail, long canceled) {}
