package dev.herald.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many threads' calls of one kind combined: the items that queue up while earlier calls run go
 * together in one call of {@code many} (one round trip for all, to a database or to Redis).
 *
 * <p>No thread of its own: a caller that finds one of the {@code writers} slots free makes the call
 * itself, holding whatever is queued (its own item among them). So a caller alone runs its item on
 * its own thread, with no hand-off, as if there were no combining; callers that arrive while every
 * slot is busy queue up, and when a slot frees, the caller at the head of the queue is woken to run
 * everything queued by then.
 *
 * <p>{@link #submit} returns the item's own result. {@code many} must be all or nothing: when it
 * throws for what may be one item's fault ({@code itemFault}), each of its items is run again alone
 * with {@code one}, so every caller gets its own result or its own error, exactly as without
 * combining; a failure they share (a server down, a timeout) is every caller's answer at once.
 *
 * <p>Why by hand: combining concurrent callers into one call with a per-item answer, without a
 * thread of its own, is what no kept library does. Bounds: {@link #QUEUE} items wait at most
 * (callers beyond that block) and a call holds at most {@code maxBatch}.
 *
 * @param <I> what one caller submits
 * @param <O> what it gets back
 */
public final class Combiner<I, O> {
  private static final Logger LOG = LoggerFactory.getLogger(Combiner.class);

  /** Items waiting at most. */
  static final int QUEUE = 4096;

  /** How long a caller waits for room in a full queue before it tries again. */
  private static final long RECHECK_MS = 50;

  /**
   * Runs {@code items} (two or more) in one call, all or nothing; one result per item, in order.
   */
  @FunctionalInterface
  public interface Many<I, O> {
    List<O> run(List<I> items);
  }

  /** Runs one item. */
  @FunctionalInterface
  public interface One<I, O> {
    O run(I item);
  }

  /** One caller's item, until its batch has answered. */
  private static final class Pending<I, O> {
    final I item;

    /** Released when the item is answered, or when its caller should try to lead. */
    final Semaphore wake = new Semaphore(0);

    /** Set once a leader took the item from the queue: its caller then only waits. */
    volatile boolean taken;

    volatile boolean answered;
    O result;
    Throwable error;

    Pending(I item) {
      this.item = item;
    }

    void answer(O r, Throwable e) {
      result = r;
      error = e;
      answered = true;
      wake.release();
    }
  }

  private final int maxBatch;
  private final Predicate<RuntimeException> itemFault;
  private final Many<I, O> many;
  private final One<I, O> one;
  private final Semaphore slots;
  private final BlockingQueue<Pending<I, O>> queue = new ArrayBlockingQueue<>(QUEUE);
  private final LongAdder items = new LongAdder();
  private final LongAdder calls = new LongAdder();

  /**
   * @param writers calls in flight at once at most
   * @param maxBatch items in one call at most
   * @param itemFault whether a failure of {@code many} may be one item's fault (a unique key, say):
   *     then each item is run again alone; any other failure is every item's answer
   */
  public Combiner(
      int writers,
      int maxBatch,
      Many<I, O> many,
      One<I, O> one,
      Predicate<RuntimeException> itemFault) {
    if (maxBatch < 1 || writers < 1) {
      throw new IllegalArgumentException("writers and maxBatch must be at least 1");
    }
    this.maxBatch = maxBatch;
    this.itemFault = itemFault;
    this.many = many;
    this.one = one;
    this.slots = new Semaphore(writers);
  }

  /**
   * Runs {@code item}, alone or with others queued meanwhile; returns its result, or throws what
   * running it alone would have thrown.
   */
  public O submit(I item) {
    Pending<I, O> p = new Pending<>(item);
    boolean interrupted = false;
    try {
      // A plain offer first: a caller with its interrupt flag set still gets in when there is room.
      while (!queue.offer(p) && !queue.offer(p, RECHECK_MS, TimeUnit.MILLISECONDS)) {
        // full: the callers ahead are being run
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to run", e);
    }
    // Queued: from here on the item may be written, so wait for its answer whatever interrupts
    // come meanwhile, as a plain write would.
    try {
      while (!p.answered) {
        // Only a caller whose item is still queued leads: one whose item is being written would
        // find nothing to do, again and again.
        if (!p.taken && slots.tryAcquire()) {
          try {
            lead();
          } finally {
            slots.release();
            // Whoever queued while this slot was busy: the head writes next.
            Pending<I, O> head = queue.peek();
            if (head != null) {
              head.wake.release();
            }
          }
          continue;
        }
        // Untimed: a leader that frees its slot wakes the queue's head, and a caller that queued
        // after that leader looked finds the slot free above. (On a virtual thread a timed wait
        // would schedule and cancel a wake-up on the JDK's delay scheduler, waking its thread.)
        try {
          p.wake.acquire();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (p.error != null) {
      switch (p.error) {
        case RuntimeException r -> throw r;
        case Error err -> throw err;
        default -> throw new IllegalStateException("failed: " + p.error, p.error);
      }
    }
    return p.result;
  }

  /** Items waiting for a leader now. */
  public int queued() {
    return queue.size();
  }

  /** Items run. */
  public long items() {
    return items.sum();
  }

  /** Calls that ran them (of {@code many} or {@code one}). */
  public long calls() {
    return calls.sum();
  }

  /** Runs what is queued now (at most {@code maxBatch}); the caller holds a slot. */
  private void lead() {
    List<Pending<I, O>> batch = new ArrayList<>(Math.min(maxBatch, queue.size() + 1));
    queue.drainTo(batch, maxBatch);
    if (batch.isEmpty()) {
      return;
    }
    for (Pending<I, O> p : batch) {
      p.taken = true;
    }
    try {
      if (batch.size() > 1 && together(batch)) {
        return;
      }
      for (Pending<I, O> p : batch) {
        O r;
        try {
          r = one.run(p.item);
        } catch (RuntimeException | Error e) {
          p.answer(null, e);
          continue;
        }
        calls.increment();
        items.increment();
        p.answer(r, null);
      }
    } catch (Throwable t) {
      // Never leave a caller waiting: whatever escaped answers every item not yet answered. The
      // leader then waits for its own item's answer, which may be in another batch.
      LOG.error("a combined call of {} items failed inside Herald", batch.size(), t);
      for (Pending<I, O> p : batch) {
        if (!p.answered) {
          p.answer(null, t);
        }
      }
    }
  }

  /** Runs {@code batch} in one call; false when it failed (and so did nothing). */
  private boolean together(List<Pending<I, O>> batch) {
    List<I> in = new ArrayList<>(batch.size());
    for (Pending<I, O> p : batch) {
      in.add(p.item);
    }
    List<O> out;
    try {
      out = many.run(in);
    } catch (RuntimeException e) {
      if (itemFault.test(e)) {
        LOG.debug("a call of {} items failed; running them one by one", batch.size(), e);
        return false;
      }
      // A failure they share (the database or Redis down, a timeout): each alone would only
      // meet it again, one timeout after another. Every caller gets it now.
      for (Pending<I, O> p : batch) {
        p.answer(null, e);
      }
      return true;
    }
    if (out.size() != batch.size()) {
      // A bug in many, found after it ran: its callers cannot be told what happened.
      throw new IllegalStateException(
          "a batch of " + batch.size() + " answered " + out.size() + " results");
    }
    calls.increment();
    items.add(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).answer(out.get(i), null);
    }
    return true;
  }
}
