package dev.herald.attempt;

import java.util.Map;

/**
 * Svix's {@code RecoverOut} / {@code ReplayOut}. Herald does the work before it answers, so the
 * status is {@code finished} and {@code data} says how many messages were queued again ({@code
 * messagesSent}, as Svix's finished task reports) and whether the per-call bound stopped the work
 * ({@code limitReached}: call again to continue).
 */
record TaskOut(String id, String status, String task, String updatedAt, Map<String, Object> data) {}
