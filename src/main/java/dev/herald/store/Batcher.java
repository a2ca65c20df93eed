package dev.herald.store;

import dev.herald.core.Combiner;
import java.sql.SQLException;
import java.util.List;

/**
 * Many threads' writes of one shape, run as one statement per batch ({@link Store#writeOne}): the
 * items that queue up while earlier batches run go together, in one round trip and one commit
 * ({@link Combiner}: no thread of its own; a caller alone writes on its own thread). For
 * PostgreSQL, where each write is its own statement and every statement pays a round trip, a commit
 * and its share of the server's CPU; SQLite's group commit already shares one transaction among
 * concurrent writers.
 *
 * <p>{@link #submit} returns the item's own result once the statement that holds it committed. A
 * statement is atomic, so when a batch fails (one bad item is enough: a unique key, a foreign key)
 * nothing of it was written and each of its items is run again alone: every caller gets its own
 * result or its own error, exactly as without batching.
 *
 * @param <I> what one caller writes
 * @param <O> what it gets back
 */
public final class Batcher<I, O> {
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

  private final Combiner<I, O> combiner;

  /**
   * @param writers batches written at once at most (each holds a connection)
   * @param maxBatch items in one statement at most
   */
  public Batcher(Store store, int writers, int maxBatch, Many<I, O> many, One<I, O> one) {
    this.combiner =
        new Combiner<>(
            writers,
            maxBatch,
            items -> store.writeOne(tx -> many.run(tx, items)),
            item -> store.writeOne(tx -> one.run(tx, item)));
  }

  /**
   * Writes {@code item}, alone or with others queued meanwhile; returns its result once the
   * statement that holds it committed, or throws what writing it alone would have thrown.
   */
  public O submit(I item) {
    return combiner.submit(item);
  }

  /** Items waiting for a leader now. */
  int queued() {
    return combiner.queued();
  }

  /** Items written, and the statements that wrote them. */
  public Store.WriteCounts counts() {
    return new Store.WriteCounts(combiner.items(), combiner.calls());
  }
}
