package dev.herald.store;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.BusyHandler;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;

/**
 * The embedded store: one SQLite file in WAL mode. SQLite allows one writer at a time, so writes go
 * to one writer thread on a pool of exactly one connection, which commits whatever has queued up as
 * one transaction ({@link GroupCommit}), while reads use a small pool of their own and see the last
 * committed state.
 */
public final class SqliteStore extends JdbcStore {
  /** Readers beside the one writer. */
  static final int READ_POOL_SIZE = 4;

  /** How long a connection waits on a lock held by another process, in ms. */
  static final int BUSY_TIMEOUT_MS = 10_000;

  /** How often the checkpointer copies the write-ahead log into the database file. */
  static final Duration CHECKPOINT_EVERY = Duration.ofMillis(250);

  /**
   * Most frames (pages) the write-ahead log may hold before the writer helps a checkpoint finish,
   * so that the log starts over: 64 MiB of 4 KiB pages (see {@link #checkpoints}). It is also the
   * size SQLite cuts the file back to when the log starts over ({@code journal_size_limit}).
   */
  static final int WAL_LIMIT_FRAMES = 16_384;

  /**
   * When the log is past its limit, the checkpointer copies it in passes until a pass finds at most
   * this many new pages (1 MiB), then lets the writer copy the rest: that is about how much the
   * writer waits for.
   */
  static final int CATCH_UP_FRAMES = 256;

  /** Most passes the checkpointer makes before the writer's, when writes outrun its copying. */
  static final int CATCH_UP_PASSES = 4;

  /** Longest the writer's checkpoint waits for readers still reading from the log, in ms. */
  static final int CATCH_UP_WAIT_MS = 100;

  /** How often the writer's checkpoint looks again whether those readers are done, in ns. */
  static final long CATCH_UP_POLL_NANOS = 100_000;

  /** SQLite's default page size, which Herald keeps: the size of one frame of the log. */
  static final int PAGE_SIZE = 4096;

  /**
   * Writer's checkpoints in a row that readers kept from letting the log start over before a
   * warning is logged; the warning repeats each time the run doubles.
   */
  static final int MISSED_RESTARTS_WARN = 8;

  /** Longest the checkpointer waits for the writer to run its checkpoint. */
  static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

  private final HikariDataSource writer;
  private final HikariDataSource readers;
  private final GroupCommit commits;
  private final Thread checkpointer;
  private final int walLimitFrames;
  private final Duration catchUpTimeout;
  private volatile boolean closed;

  /**
   * Pages in the log when the writer's last checkpoint left it copied and free of readers, else -1.
   * The count stays the same until a write starts the log over, so a round that finds it unchanged
   * has nothing to catch up: without it, an idle store past the limit would hand the writer a
   * checkpoint every round.
   */
  private volatile int caughtUpAt = -1;

  /** Pages in the log at the last checkpoint. */
  private volatile int logPages;

  private final AtomicLong catchUps = new AtomicLong();
  private final AtomicLong missedRestarts = new AtomicLong();

  /**
   * Writer's checkpoints in a row that readers kept from letting the log start over; only the
   * writer's thread touches it.
   */
  private int missedInARow;

  /**
   * The writer's checkpoint handed over and not yet run, when the checkpointer stopped waiting for
   * it (the constructor's {@code catchUpTimeout}); no other is handed over until it has run.
   */
  private CompletableFuture<Void> overdue;

  public SqliteStore(String jdbcUrl) {
    this(jdbcUrl, WAL_LIMIT_FRAMES, CATCH_UP_TIMEOUT);
  }

  /**
   * With a write-ahead log kept under {@code walLimitFrames} pages, and the checkpointer waiting at
   * most {@code catchUpTimeout} for the writer's checkpoint; tests use small ones.
   */
  SqliteStore(String jdbcUrl, int walLimitFrames, Duration catchUpTimeout) {
    super(Dialect.SQLITE);
    this.walLimitFrames = walLimitFrames;
    this.catchUpTimeout = catchUpTimeout;
    this.writer = pool(jdbcUrl, "herald-sqlite-write", 1);
    this.readers = pool(jdbcUrl, "herald-sqlite-read", READ_POOL_SIZE);
    // The writer keeps its own connection, with its statements prepared once; the one-connection
    // pool serves Flyway's migrations, which run before any write.
    // Checkpoints run on a thread of their own: on the writer's commit they would stall every
    // write waiting behind it for the checkpoint's fsyncs.
    this.commits =
        new GroupCommit(
            "herald-sqlite-writer",
            () -> {
              Connection c = config().createConnection(jdbcUrl);
              try (Statement st = c.createStatement()) {
                st.execute("PRAGMA wal_autocheckpoint = 0");
                // When the log starts over, the writer's next commit cuts its file back to this
                // size: the file is reused from its start instead of growing and shrinking.
                st.execute("PRAGMA journal_size_limit = " + (long) walLimitFrames * PAGE_SIZE);
                // Each unit of a shared batch runs under a savepoint, whose undo (the old content
                // of the pages it changes) SQLite spills past 64 KiB into a temporary file: two
                // write calls per page, most of the writer's system time at a few thousand
                // deliveries/s. In memory it is freed at the unit's release, so it holds at most
                // one unit's pages, and units are bounded (batches of ids, a request's body).
                st.execute("PRAGMA temp_store = MEMORY");
              }
              return c;
            },
            Dialect.SQLITE,
            this::translate);
    this.checkpointer =
        Thread.ofPlatform().name("herald-sqlite-checkpoint").daemon().start(this::checkpoints);
  }

  /**
   * Copies committed pages from the write-ahead log into the database file every {@link
   * #CHECKPOINT_EVERY} (PASSIVE: it waits for no reader or writer).
   *
   * <p>That alone does not bound the log. SQLite starts the log over only when a write begins after
   * a checkpoint has copied all of it; while writes never pause, each one lands during the last
   * checkpoint and the log grows without end (6 GB within a minute of the benchmark's fan-out). So
   * once the log holds more than {@code walLimitFrames} pages, this thread runs checkpoints back to
   * back, each copying what was written during the one before, until one finds little new ({@link
   * #CATCH_UP_FRAMES}) or {@link #CATCH_UP_PASSES} have run; then a last one runs on the writer's
   * thread, between two of its transactions ({@link #catchUp}). With no write landing meanwhile it
   * copies the rest, and the writer's next transaction starts the log over and cuts the file back
   * to the limit. The writer waits only for that last copy, its syncs, and readers still reading
   * from the log; if they outlast {@link #CATCH_UP_WAIT_MS}, a later round tries again.
   */
  private void checkpoints() {
    while (!closed) {
      try {
        Thread.sleep(CHECKPOINT_EVERY);
        int inLog = checkpoint();
        if (inLog <= walLimitFrames || inLog == caughtUpAt) {
          continue;
        }
        for (int pass = 1; pass < CATCH_UP_PASSES; pass++) {
          int before = inLog;
          inLog = checkpoint();
          if (inLog - before <= CATCH_UP_FRAMES) {
            break;
          }
        }
        // A pass that met a pause in the writes may have let the log start over already.
        if (inLog > walLimitFrames) {
          handOver();
        }
      } catch (InterruptedException e) {
        return;
      } catch (SQLException | RuntimeException | ExecutionException e) {
        if (!closed) {
          LOG.warn("SQLite checkpoint failed; retrying", e);
        }
      }
    }
  }

  /**
   * Hands the last checkpoint to the writer's thread (from this thread the writer would land a
   * commit during it again) and waits for it, unless one handed over before is still waiting.
   */
  private void handOver() throws InterruptedException, ExecutionException {
    if (overdue != null) {
      if (!overdue.isDone()) {
        return;
      }
      overdue = null;
    }
    CompletableFuture<Void> done = commits.betweenTransactions(this::catchUp);
    try {
      done.get(catchUpTimeout.toMillis(), MILLISECONDS);
    } catch (TimeoutException e) {
      overdue = done;
      LOG.warn(
          "The SQLite writer has not run its checkpoint within {} ms; the write-ahead log grows"
              + " until it does",
          catchUpTimeout.toMillis());
    }
  }

  /** Runs a PASSIVE checkpoint; returns the pages in the log, copied or not. */
  private int checkpoint() throws SQLException {
    try (Connection c = writer.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
      int pages = rs.next() ? rs.getInt(2) : 0; // (busy, pages in the log, pages copied)
      logPages = pages;
      return pages;
    }
  }

  /**
   * The writer's checkpoint: with no write in flight it copies what the checkpointer's passes left,
   * then waits (at most {@link #CATCH_UP_WAIT_MS}) for readers still reading from the log, so that
   * the writer's next transaction can start the log over. Readers that begin once the copy is done
   * read the database file only and do not hold it up.
   */
  private Void catchUp(Tx none) throws SQLException {
    try (Connection c = writer.getConnection();
        Statement st = c.createStatement()) {
      SQLiteConnection sqlite = c.unwrap(SQLiteConnection.class);
      BusyHandler.setHandler(sqlite, new ShortWaits());
      try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(RESTART)")) {
        // (busy, pages in the log, pages copied); busy when readers outlasted the wait.
        rs.next(); // the pragma always answers one row
        boolean busy = rs.getInt(1) != 0;
        int pages = rs.getInt(2);
        caughtUpAt = busy ? -1 : pages;
        // -1: another connection held the checkpoint lock; no reader is to blame.
        if (pages >= 0) {
          logPages = pages;
          caughtUp(busy, pages);
        }
      } finally {
        try {
          BusyHandler.clearHandler(sqlite);
        } finally {
          // Setting the timeout again puts SQLite's own handler back.
          st.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
        }
      }
    }
    return null;
  }

  /**
   * The writer's checkpoint's wait for readers: it looks again every {@link #CATCH_UP_POLL_NANOS},
   * for at most {@link #CATCH_UP_WAIT_MS} of waiting in all (the copy and its syncs not counted).
   * SQLite's own handler sleeps 1, 2, 5, 10, 15... ms between tries, so a reader that ends just
   * after a try holds the writer up to the next step. Beside four readers that never pause, the
   * test saw 0-23 tries per checkpoint (a few ms of waiting); the checkpoints took 12-47 ms, most
   * of it the copy's two syncs.
   */
  private static final class ShortWaits extends BusyHandler {
    /** Time parked so far: the copy and its syncs do not count against the wait. */
    private long parkedNanos;

    @Override
    protected int callback(int tries) {
      if (parkedNanos >= MILLISECONDS.toNanos(CATCH_UP_WAIT_MS)) {
        return 0; // give up: the checkpoint returns busy
      }
      long start = System.nanoTime();
      LockSupport.parkNanos(CATCH_UP_POLL_NANOS);
      parkedNanos += System.nanoTime() - start;
      return 1;
    }
  }

  /**
   * Counts the writer's checkpoint, and whether readers kept the log from starting over. While they
   * do, the log grows by what is written meanwhile: a run of such misses is logged.
   */
  private void caughtUp(boolean busy, int pages) {
    catchUps.incrementAndGet();
    if (!busy) {
      if (missedInARow >= MISSED_RESTARTS_WARN) {
        LOG.info(
            "SQLite write-ahead log starts over again after {} checkpoints kept from it by"
                + " readers",
            missedInARow);
      }
      missedInARow = 0;
      return;
    }
    missedInARow++;
    if (missedInARow >= MISSED_RESTARTS_WARN && Integer.bitCount(missedInARow) == 1) {
      LOG.warn(
          "SQLite write-ahead log holds {} MiB, over its {} MiB limit: readers kept it from"
              + " starting over in the last {} checkpoints (each waits up to {} ms for them)",
          (long) pages * PAGE_SIZE >> 20,
          (long) walLimitFrames * PAGE_SIZE >> 20,
          missedInARow,
          CATCH_UP_WAIT_MS);
    }
    missedRestarts.incrementAndGet(); // after the warning: whoever sees the count sees it logged
  }

  /** Runs {@code work} in the writer's next group transaction (see {@link GroupCommit}). */
  @Override
  public <T> T write(Work<T> work) {
    return commits.write(work);
  }

  @Override
  public Optional<WriteCounts> writeCounts() {
    return Optional.of(new WriteCounts(commits.units(), commits.batches()));
  }

  @Override
  public Optional<WriteAheadLog> writeAheadLog() {
    return Optional.of(
        new WriteAheadLog((long) logPages * PAGE_SIZE, catchUps.get(), missedRestarts.get()));
  }

  /** The group commit behind {@link #write}, for its counters in tests. */
  GroupCommit groupCommit() {
    return commits;
  }

  /** The connection settings of every connection, pooled or the writer's own. */
  private static SQLiteConfig config() {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // NORMAL in WAL mode survives a process crash (kill -9); only an OS crash may lose the
    // last transactions.
    sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    sqlite.setBusyTimeout(BUSY_TIMEOUT_MS);
    sqlite.enforceForeignKeys(true);
    // Herald makes its own ids: asking SQLite for generated keys after every insert is waste.
    sqlite.setGetGeneratedKeys(false);
    return sqlite;
  }

  private static HikariDataSource pool(String url, String name, int size) {
    SQLiteConfig sqlite = config();
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setPoolName(name);
    cfg.setMaximumPoolSize(size);
    cfg.setMinimumIdle(1);
    cfg.setDataSourceProperties(sqlite.toProperties());
    return new HikariDataSource(cfg);
  }

  @Override
  HikariDataSource writePool() {
    return writer;
  }

  @Override
  HikariDataSource readPool() {
    return readers;
  }

  @Override
  boolean isUniqueViolation(SQLException e) {
    return e.getErrorCode() == SQLiteErrorCode.SQLITE_CONSTRAINT.code
            && e.getMessage() != null
            && e.getMessage().contains("UNIQUE")
        || e.getErrorCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE.code
        || e.getErrorCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY.code;
  }

  @Override
  public void close() {
    closed = true;
    checkpointer.interrupt();
    try {
      checkpointer.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    commits.close();
    readers.close();
    writer.close();
  }
}
