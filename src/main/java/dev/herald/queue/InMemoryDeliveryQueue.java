package dev.herald.queue;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A bounded in-process queue. Past {@code capacity}, {@link #offer} refuses and the delivery stays
 * in the database for the sweeper: back-pressure goes to the database, not the heap. While it is
 * empty, an offered id goes first to the {@link #startDirectly starter}, if one is set.
 * Thread-safe; {@link #ack} has nothing to do, since a crash loses the whole queue and the leases
 * cover it.
 */
public final class InMemoryDeliveryQueue implements DeliveryQueue {
  private final ArrayBlockingQueue<String> items;
  private volatile Predicate<String> starter;

  public InMemoryDeliveryQueue(int capacity) {
    this.items = new ArrayBlockingQueue<>(capacity);
  }

  @Override
  public boolean offer(String deliveryId) {
    // Only when no id waits ahead of this one; a started id saves a puller's wake-up.
    Predicate<String> direct = starter;
    if (direct != null && items.isEmpty() && direct.test(deliveryId)) {
      return true;
    }
    return items.offer(deliveryId);
  }

  @Override
  public void startDirectly(Predicate<String> starter) {
    this.starter = starter;
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
