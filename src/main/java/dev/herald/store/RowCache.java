package dev.herald.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Weigher;
import dev.herald.core.Caches;
import java.time.Duration;
import java.util.function.Function;

/**
 * A bounded, read-through cache of rows that requests read far more often than anyone writes them
 * (applications, an application's endpoints). A write on this node drops the entry once its
 * transaction has ended ({@link Tx#afterEnd}): a load racing the commit finishes before the drop
 * (Caffeine runs a key's load and its removal one after the other), so this node never keeps the
 * state before its own write. Writes on other nodes reach this one when the entry expires, after at
 * most {@code ttl}. Disabled, every read goes to the store.
 *
 * <p>A loader returning null caches nothing: absence is never cached.
 */
public final class RowCache<K, V> {
  private final Cache<K, V> cache;

  private RowCache(Cache<K, V> cache) {
    this.cache = cache;
  }

  /** A cache of at most {@code maxWeight}, each value weighing {@code weigher}'s count. */
  public static <K, V> RowCache<K, V> of(
      long maxWeight, Weigher<? super K, ? super V> weigher, Duration ttl) {
    return new RowCache<>(
        Caches.newBuilder()
            .maximumWeight(maxWeight)
            .weigher(weigher)
            .expireAfterWrite(ttl)
            .build());
  }

  /** A cache that holds nothing. */
  public static <K, V> RowCache<K, V> disabled() {
    return new RowCache<>(null);
  }

  /** The value of {@code key}, loaded by {@code load} when absent; null when {@code load} is. */
  public V get(K key, Function<? super K, ? extends V> load) {
    return cache == null ? load.apply(key) : cache.get(key, load);
  }

  /** The value of {@code key} if held now; never loads. */
  public V peek(K key) {
    return cache == null ? null : cache.getIfPresent(key);
  }

  /** Drops {@code key} once {@code tx} has ended. */
  public void invalidate(Tx tx, K key) {
    if (cache != null) {
      tx.afterEnd(() -> cache.invalidate(key));
    }
  }

  /** Drops every entry once {@code tx} has ended. */
  public void invalidateAll(Tx tx) {
    if (cache != null) {
      tx.afterEnd(cache::invalidateAll);
    }
  }

  /** Entries held now (approximate). */
  public long size() {
    return cache == null ? 0 : cache.estimatedSize();
  }
}
