package dev.herald.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;

/**
 * The production store: PostgreSQL through one Hikari pool shared by reads and writes, and a small
 * second one whose sessions commit with {@code synchronous_commit = off} ({@link
 * Store.Commit#UNSYNCED}).
 */
public final class PostgresStore extends JdbcStore {
  /** SQLSTATE of a unique-key violation. */
  static final String UNIQUE_VIOLATION = "23505";

  /** How long a request waits for a free connection before failing, in ms. */
  static final long CONNECTION_TIMEOUT_MS = 10_000;

  /**
   * Connections of the unsynced pool: its one user, the attempt {@code Recorder}, has at most two
   * statements in flight.
   */
  static final int UNSYNCED_POOL_SIZE = 2;

  private final HikariDataSource pool;
  private final HikariDataSource unsynced;

  public PostgresStore(String jdbcUrl, String user, String password, int poolSize) {
    super(Dialect.POSTGRESQL);
    this.pool = new HikariDataSource(config(jdbcUrl, user, password, "herald-postgres", poolSize));
    HikariConfig unsyncedConfig =
        config(jdbcUrl, user, password, "herald-postgres-unsynced", UNSYNCED_POOL_SIZE);
    // Once per connection, when the pool opens it; a DSN's own "options" are left alone.
    unsyncedConfig.setConnectionInitSql("SET synchronous_commit = off");
    unsyncedConfig.setMinimumIdle(0);
    this.unsynced = new HikariDataSource(unsyncedConfig);
  }

  private static HikariConfig config(
      String jdbcUrl, String user, String password, String name, int size) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbcUrl);
    cfg.setUsername(user);
    cfg.setPassword(password);
    cfg.setPoolName(name);
    cfg.setMaximumPoolSize(size);
    cfg.setMinimumIdle(Math.min(2, size));
    cfg.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    // The leases and the auto-commit reads assume it, whatever the server's default.
    cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    return cfg;
  }

  @Override
  HikariDataSource writePool() {
    return pool;
  }

  @Override
  HikariDataSource readPool() {
    return pool;
  }

  /** One statement in auto-commit mode: no BEGIN, no COMMIT round trip. */
  @Override
  public <T> T writeOne(Work<T> work) {
    return writeOne(work, Commit.DURABLE);
  }

  @Override
  public <T> T writeOne(Work<T> work, Commit commit) {
    return run(commit == Commit.UNSYNCED ? unsynced : pool, work, Mode.ONE_STATEMENT);
  }

  /**
   * Reads in auto-commit mode. At READ COMMITTED (Herald's level) each statement of a transaction
   * takes its own snapshot, so a read-only transaction would add BEGIN and ROLLBACK and nothing
   * else.
   */
  @Override
  public <T> T read(Work<T> work) {
    return run(pool, work, Mode.AUTO_COMMIT);
  }

  @Override
  boolean isUniqueViolation(SQLException e) {
    return UNIQUE_VIOLATION.equals(e.getSQLState());
  }

  @Override
  public void close() {
    unsynced.close();
    pool.close();
  }
}
