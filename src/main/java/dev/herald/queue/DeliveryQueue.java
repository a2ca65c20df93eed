package dev.herald.queue;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * The queue seam: delivery ids waiting for a worker. Implementations: {@link InMemoryDeliveryQueue}
 * (one node) and {@link RedisStreamDeliveryQueue} (many nodes).
 *
 * <p>The queue only accelerates; the database is the truth. An id is offered only after the
 * delivery row it names is committed, and a lost id (full queue, crash, flushed Redis) is found
 * again by the sweeper from the row's lease. An id may therefore arrive twice; the worker's claim
 * on the row makes the second arrival a no-op. Items carry ids, never payloads, so a backlog of
 * millions costs the database, not the heap.
 */
public interface DeliveryQueue extends AutoCloseable {

  /** One item handed to a worker; {@code receipt} is what {@link #ack} needs. */
  record Item(String deliveryId, String receipt) {}

  /** Adds {@code deliveryId} without blocking; false when the queue is full or unavailable. */
  boolean offer(String deliveryId);

  /**
   * Adds {@code deliveryIds} in order, without blocking, until the queue is full or unavailable;
   * returns how many of the first ones it took (the rest were refused).
   */
  default int offerAll(java.util.List<String> deliveryIds) {
    int taken = 0;
    for (String id : deliveryIds) {
      if (!offer(id)) {
        break;
      }
      taken++;
    }
    return taken;
  }

  /** The next item, waiting up to {@code timeout}; null when none came. */
  Item take(Duration timeout) throws InterruptedException;

  /**
   * Marks {@code item} done, once its outcome is recorded in the database. It may take effect a
   * moment later (the Redis queue sends acks in batches); an item whose ack a crash lost comes
   * again, a duplicate the worker's claim absorbs.
   */
  void ack(Item item);

  /**
   * Lets {@code starter} take offered ids on the spot, while the queue is empty: it returns true
   * when it started work on the id (then the queue never holds it), false to have it queued. A
   * queue shared by many nodes ignores this: its items are for whichever node reads them first, and
   * one a dead node held is claimed by another after the attempt lease, where an attempt started
   * outside it would wait out the longer queue lease.
   */
  default void startDirectly(Predicate<String> starter) {}

  /** Items waiting, approximately. */
  long depth();

  /** How many more items {@link #offer} would accept now, approximately. */
  long freeCapacity();

  @Override
  void close();
}
