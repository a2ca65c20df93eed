package dev.herald.store;

/**
 * The database seam. Implementations: {@link SqliteStore} (embedded default) and {@link
 * PostgresStore}. A transaction is a function over a {@link Tx}; it commits when the function
 * returns and rolls back when it throws. Driver errors leave the store translated: a unique-key
 * violation is a {@link dev.herald.core.HeraldError.Conflict}, anything else a {@link
 * StoreException}.
 */
public interface Store extends AutoCloseable {

  /** A unit of work inside one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Tx tx) throws java.sql.SQLException;
  }

  Dialect dialect();

  /** Runs {@code work} in a read-write transaction. */
  <T> T write(Work<T> work);

  /**
   * Runs {@code work}, which issues exactly one statement (atomic by itself), as a write.
   * PostgreSQL runs it without BEGIN and COMMIT: one round trip instead of three. A second
   * statement, or a JDBC batch, is a bug and throws {@link IllegalStateException} before it runs,
   * whatever the store; what the first statement did then stays committed on PostgreSQL, and is
   * rolled back with the unit on SQLite.
   */
  <T> T writeOne(Work<T> work);

  /** When a write's commit returns. */
  enum Commit {
    /** Once the write is on disk: a crash of the database server cannot undo it. */
    DURABLE,
    /**
     * Once the write is visible to every other transaction, possibly before it is on disk
     * (PostgreSQL's {@code synchronous_commit = off}). A crash of the database server (not of
     * Herald) can undo the writes of its last few hundred milliseconds, in commit order: no write
     * survives one committed before it. Only for writes whose loss the sweeper repairs, such as an
     * attempt's record: the delivery is then attempted again, as at-least-once allows. SQLite
     * commits it like any other write.
     */
    UNSYNCED
  }

  /** {@link #writeOne(Work)}, committed as {@code commit} says. */
  default <T> T writeOne(Work<T> work, Commit commit) {
    return writeOne(work);
  }

  /**
   * Runs {@code work} so that it only reads. SQLite reads one snapshot; PostgreSQL (READ COMMITTED,
   * where every statement sees its own snapshot anyway) runs each statement by itself, without
   * BEGIN and ROLLBACK.
   */
  <T> T read(Work<T> work);

  /** Units of write work run, and the transactions that committed them (group commit). */
  record WriteCounts(long units, long transactions) {}

  /** The counts of a store that groups writes into shared transactions; empty for the others. */
  default java.util.Optional<WriteCounts> writeCounts() {
    return java.util.Optional.empty();
  }

  /**
   * SQLite's write-ahead log: its size in bytes at the last checkpoint, the checkpoints the writer
   * ran to let it start over once it passed its limit, and those that readers kept from it.
   */
  record WriteAheadLog(long bytes, long catchUps, long missedRestarts) {}

  /** The write-ahead log's state, for a store that bounds one itself (SQLite); else empty. */
  default java.util.Optional<WriteAheadLog> writeAheadLog() {
    return java.util.Optional.empty();
  }

  /** Applies pending migrations (Flyway). */
  void migrate();

  /** True when the database answers a trivial query. */
  boolean ping();

  @Override
  void close();
}
