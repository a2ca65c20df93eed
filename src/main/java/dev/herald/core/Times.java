package dev.herald.core;

import java.time.Instant;

/** Timestamps as Herald stores (epoch milliseconds) and shows them (ISO-8601, UTC). */
public final class Times {
  private Times() {}

  public static String iso(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }
}
