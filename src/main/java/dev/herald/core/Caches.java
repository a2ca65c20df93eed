package dev.herald.core;

import com.github.benmanes.caffeine.cache.Caffeine;

/** Where Herald's Caffeine caches start. */
public final class Caches {
  private Caches() {}

  /**
   * A Caffeine builder whose upkeep (draining its read and write buffers, evicting, expiring) runs
   * on the thread that reads or writes the cache, a few entries at a time, instead of on {@link
   * java.util.concurrent.ForkJoinPool#commonPool()}. Herald writes some caches once or twice per
   * delivery; with the default executor each write woke a common-pool thread to drain it, about 1.5
   * thread wake-ups per delivery at saturation.
   */
  public static Caffeine<Object, Object> newBuilder() {
    return Caffeine.newBuilder().executor(Runnable::run);
  }
}
