package dev.herald.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many threads' writes of one shape, run as one statement per batch ({@link Store#writeOne}): the
 * items that queue up while earlier batches run go together, in one round trip and one commit. For
 * PostgreSQL, where each write is its own statement and every statement pays a round trip, a commit
 * and its share of the server's CPU; SQLite's group commit already shares one transaction among
 * concurrent writers.
 *
 * <p>No thread of its own: a caller that finds one of the {@code writers} slots free runs the batch
 * itself, holding whatever is queued (its own item among them). So a caller alone writes its item
 * on its own thread, with no hand-off, as if there were no batching; callers that arrive while
 * every slot is busy queue up, and when a slot frees, the caller at the head of the queue is woken
 * to write everything queued by then.
 *
 * <p>{@link #submit} returns the item's own result once the statement that holds it committed. A
 * statement is atomic, so when a batch fails (one bad item is enough: a unique key, a foreign key)
 * nothing of it was written and each of its items is run again alone: every caller gets its own
 * result or its own error, exactly as without batching.
 *
 * <p>Why by hand: batching concurrent callers into one multi-row statement with a per-item answer
 * is what no kept library does for plain JDBC. Bounds: {@link #QUEUE} items wait at most (callers
 * beyond that block) and a batch holds at most {@code maxBatch}.
 *
 * @param <I> what one caller writes
 * @param <O> what it gets back
 */
public final class Batcher<I, O> {
  private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

  /** Items waiting at most. */
  static final int QUEUE = 4096;

  /** How long a waiting caller sleeps before it looks again whether a slot is free. */
  private static final long RECHECK_MS = 50;

  /** Runs {@code items} (two or more) as one statement; returns one result per item, in order. */
  @FunctionalInterface
  public interface Many<I, O> {
    List<O> run(Tx tx, List<I> items) throws SQLException;
  }

  /** Runs one item as one statement. */
  @FunctionalInterface
  public interface One<I, O> {
    O run(Tx tx, I item) throws SQLException;
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

  private final Store store;
  private final int maxBatch;
  private final Many<I, O> many;
  private final One<I, O> one;
  private final Semaphore slots;
  private final BlockingQueue<Pending<I, O>> queue = new ArrayBlockingQueue<>(QUEUE);
  private final LongAdder items = new LongAdder();
  private final LongAdder statements = new LongAdder();

  /**
   * @param writers batches written at once at most (each holds a connection)
   * @param maxBatch items in one statement at most
   */
  public Batcher(Store store, int writers, int maxBatch, Many<I, O> many, One<I, O> one) {
    if (maxBatch < 1 || writers < 1) {
      throw new IllegalArgumentException("writers and maxBatch must be at least 1");
    }
    this.store = store;
    this.maxBatch = maxBatch;
    this.many = many;
    this.one = one;
    this.slots = new Semaphore(writers);
  }

  /**
   * Writes {@code item}, alone or with others queued meanwhile; returns its result once the
   * statement that holds it committed, or throws what writing it alone would have thrown.
   */
  public O submit(I item) {
    Pending<I, O> p = new Pending<>(item);
    boolean interrupted = false;
    try {
      while (!queue.offer(p, RECHECK_MS, TimeUnit.MILLISECONDS)) {
        // full: the callers ahead are being written
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting to write", e);
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
        try {
          p.wake.tryAcquire(RECHECK_MS, TimeUnit.MILLISECONDS);
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
        default -> throw new StoreException("write failed: " + p.error, p.error);
      }
    }
    return p.result;
  }

  /** Items waiting for a leader now. */
  int queued() {
    return queue.size();
  }

  /** Items written, and the statements that wrote them. */
  public Store.WriteCounts counts() {
    return new Store.WriteCounts(items.sum(), statements.sum());
  }

  /** Writes what is queued now (at most {@code maxBatch}); the caller holds a slot. */
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
          r = store.writeOne(tx -> one.run(tx, p.item));
        } catch (RuntimeException | Error e) {
          p.answer(null, e);
          continue;
        }
        statements.increment();
        items.increment();
        p.answer(r, null);
      }
    } catch (Throwable t) {
      // Never leave a caller waiting: whatever escaped answers every item not yet answered.
      for (Pending<I, O> p : batch) {
        if (!p.answered) {
          p.answer(null, t);
        }
      }
      throw t;
    }
  }

  /** Writes {@code batch} as one statement; false when it failed and nothing was written. */
  private boolean together(List<Pending<I, O>> batch) {
    List<I> in = new ArrayList<>(batch.size());
    for (Pending<I, O> p : batch) {
      in.add(p.item);
    }
    List<O> out;
    try {
      out = store.writeOne(tx -> many.run(tx, in));
    } catch (RuntimeException e) {
      LOG.debug("a batch of {} failed; writing its items one by one", batch.size(), e);
      return false;
    }
    if (out.size() != batch.size()) {
      throw new IllegalStateException(
          "a batch of " + batch.size() + " answered " + out.size() + " results");
    }
    statements.increment();
    items.add(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).answer(out.get(i), null);
    }
    return true;
  }
}
