package dev.herald.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
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

  private final HikariDataSource writer;
  private final HikariDataSource readers;
  private final GroupCommit commits;

  public SqliteStore(String jdbcUrl) {
    super(Dialect.SQLITE);
    this.writer = pool(jdbcUrl, "herald-sqlite-write", 1);
    this.readers = pool(jdbcUrl, "herald-sqlite-read", READ_POOL_SIZE);
    // The writer keeps its own connection, with its statements prepared once; the one-connection
    // pool serves Flyway's migrations, which run before any write.
    this.commits =
        new GroupCommit(
            "herald-sqlite-writer",
            () -> config().createConnection(jdbcUrl),
            Dialect.SQLITE,
            this::translate);
  }

  /** Runs {@code work} in the writer's next group transaction (see {@link GroupCommit}). */
  @Override
  public <T> T write(Work<T> work) {
    return commits.write(work);
  }

  @Override
  public java.util.Optional<WriteCounts> writeCounts() {
    return java.util.Optional.of(new WriteCounts(commits.units(), commits.batches()));
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
    commits.close();
    readers.close();
    writer.close();
  }
}
