package dev.herald.store;

import dev.herald.core.Combiner;
import dev.herald.core.HeraldError;
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
 * statement is atomic, so when a batch fails for what may be one item's fault (a unique key, a
 * foreign key: {@link #itemFault}) nothing of it was written and each of its items is run again
 * alone: every caller gets its own result or its own error, exactly as without batching. Any other
 * failure (the database down, a timeout) is every caller's answer at once.
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
   * @param commit how each statement commits ({@link Store#writeOne(Store.Work, Store.Commit)})
   * @param writers batches written at once at most (each holds a connection)
   * @param maxBatch items in one statement at most
   */
  public Batcher(
      Store store, Store.Commit commit, int writers, int maxBatch, Many<I, O> many, One<I, O> one) {
    this.combiner =
        new Combiner<>(
            writers,
            maxBatch,
            items -> store.writeOne(tx -> many.run(tx, items), commit),
            item -> store.writeOne(tx -> one.run(tx, item), commit),
            Batcher::itemFault);
  }

  /**
   * Whether a failed batch may have failed for one of its items: a unique key ({@link
   * HeraldError.Conflict}), or another integrity or data error (SQLSTATE classes 23 and 22: a
   * foreign key, a value out of range). Anything else (a lost connection, a timeout) would fail
   * each item alone too.
   */
  static boolean itemFault(RuntimeException e) {
    if (e instanceof HeraldError.Conflict) {
      return true;
    }
    if (e instanceof StoreException && e.getCause() instanceof SQLException s) {
      String state = s.getSQLState();
      return state != null && (state.startsWith("23") || state.startsWith("22"));
    }
    return false;
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
