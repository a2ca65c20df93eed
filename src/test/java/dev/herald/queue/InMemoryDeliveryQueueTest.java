package dev.herald.queue;

/** The queue contract for the in-process queue. */
class InMemoryDeliveryQueueTest extends DeliveryQueueContract {
  @Override
  DeliveryQueue create(int capacity) {
    return new InMemoryDeliveryQueue(capacity);
  }
}
