package dev.herald.delivery;

import com.github.benmanes.caffeine.cache.Cache;
import dev.herald.core.Caches;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Deliveries this node's fan-out just committed, for its dispatcher to attempt without a claiming
 * write: a fresh row is due now, has made no attempt, and carries the {@link DeliveryLedger#QUEUED}
 * lease for the whole queue lease, so no sweeper hands it out meanwhile. The dispatcher takes the
 * entry (once: a second queue item for the same id goes through the claim) and attempts under the
 * token {@code QUEUED}; every later transition still checks that token. Entries expire long before
 * the queue lease does ({@link #KEPT_FOR}), and at most {@link #MAX_ENTRIES} are kept; anything not
 * found here is claimed as before.
 */
public final class FreshDeliveries {
  /** Entries kept at most (a few hundred bytes each). */
  public static final long MAX_ENTRIES = 20_000;

  /** How long an entry is kept; far shorter than any sane queue lease. */
  public static final Duration KEPT_FOR = Duration.ofSeconds(60);

  private final Cache<String, Delivery> fresh;

  /** Fresh deliveries, or none at all when {@code queueLease} is too short to trust them. */
  public FreshDeliveries(Duration queueLease) {
    this.fresh =
        queueLease.compareTo(KEPT_FOR.multipliedBy(2)) < 0
            ? null
            : Caches.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(KEPT_FOR).build();
  }

  /** Remembers {@code deliveries}, committed and marked queued, before they are handed off. */
  public void remember(List<Delivery> deliveries) {
    if (fresh != null) {
      for (Delivery d : deliveries) {
        fresh.put(d.id(), d);
      }
    }
  }

  /** Forgets delivery {@code id} (the queue refused it: its queued mark was dropped). */
  public void forget(String id) {
    if (fresh != null) {
      fresh.invalidate(id);
    }
  }

  /** The fresh delivery {@code id}, removed so that only one attempt can take it. */
  public Optional<Delivery> take(String id) {
    return fresh == null ? Optional.empty() : Optional.ofNullable(fresh.asMap().remove(id));
  }
}
