package dev.herald.app;

import dev.herald.core.Times;
import java.util.Map;

/** Svix's {@code ApplicationOut}; {@code rateLimit} repeats {@code throttleRate} for older SDKs. */
public record AppOut(
    String id,
    String uid,
    String name,
    Integer throttleRate,
    Integer rateLimit,
    Map<String, String> metadata,
    String createdAt,
    String updatedAt) {

  static AppOut of(App a) {
    return new AppOut(
        a.id(),
        a.uid(),
        a.name(),
        a.rateLimit(),
        a.rateLimit(),
        a.metadata(),
        Times.iso(a.createdAt()),
        Times.iso(a.updatedAt()));
  }
}
