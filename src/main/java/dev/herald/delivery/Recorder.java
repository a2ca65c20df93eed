package dev.herald.delivery;

import dev.herald.store.Batcher;
import dev.herald.store.Dialect;
import dev.herald.store.Store;
import java.util.Optional;

/**
 * Writes attempt records that change nothing but their own rows ({@link
 * DeliveryLedger#record(dev.herald.store.Tx, DeliveryLedger.Recorded)}), each in a transaction of
 * its own. On PostgreSQL, records of concurrent attempts share one statement ({@link Batcher}): one
 * round trip and one commit for all that arrive while the previous one runs. On SQLite the group
 * commit already shares one transaction among them.
 *
 * <p>On PostgreSQL a record's commit does not wait for the disk ({@link Store.Commit#UNSYNCED}):
 * the message and its delivery row are durable since the accept, and a record undone by a crash of
 * the database server leaves the delivery leased, so the sweeper hands it out again and it is
 * attempted again (at-least-once). Records are about half of the commits, and their flushes used to
 * queue beside those of the accepts, which the sender waits for.
 */
public final class Recorder {
  /** Statements in flight at once at most: while one commits, the next batch is on its way. */
  static final int WRITERS = 2;

  /** Records in one statement at most: each carries up to 20 KiB of response body. */
  static final int MAX_BATCH = 64;

  private final Store store;
  private final DeliveryLedger ledger;
  private final Batcher<DeliveryLedger.Recorded, Boolean> batcher;

  public Recorder(Store store, DeliveryLedger ledger) {
    this.store = store;
    this.ledger = ledger;
    this.batcher =
        store.dialect() == Dialect.POSTGRESQL
            ? new Batcher<>(
                store, Store.Commit.UNSYNCED, WRITERS, MAX_BATCH, ledger::recordAll, ledger::record)
            : null;
  }

  /** Records {@code r} once it is durable; false when its delivery's lease was lost. */
  public boolean record(DeliveryLedger.Recorded r) {
    return batcher != null ? batcher.submit(r) : store.write(tx -> ledger.record(tx, r));
  }

  /** Records written, and the statements that wrote them; empty without batching. */
  public Optional<Store.WriteCounts> counts() {
    return Optional.ofNullable(batcher).map(Batcher::counts);
  }
}
