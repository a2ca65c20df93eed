package dev.herald.queue;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded in-process queue. Past {@code capacity}, {@link #offer} refuses and the delivery stays
 * in the database for the sweeper: back-pressure goes to the database, not the heap. Thread-safe;
 * {@link #ack} has nothing to do, since a crash loses the whole queue and the leases cover it.
 */
public final class InMemoryDeliveryQueue implements DeliveryQueue {
  private final ArrayBlockingQueue<String> items;

  public InMemoryDeliveryQueue(int capacity) {
    this.items = new ArrayBlockingQueue<>(capacity);
  }

  @Override
  public boolean offer(String deliveryId) {
    return items.offer(deliveryId);
  }

  @Override
  public Item take(Duration timeout) throws InterruptedException {
    String id = items.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    return id == null ? null : new Item(id, id);
  }

  @Override
  public void ack(Item item) {
    // Nothing to acknowledge: an item leaves the queue when it is taken.
  }

  @Override
  public long depth() {
    return items.size();
  }

  @Override
  public long freeCapacity() {
    return items.remainingCapacity();
  }

  @Override
  public void close() {
    items.clear();
  }
}
