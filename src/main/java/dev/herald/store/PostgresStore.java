package dev.herald.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;

/** The production store: PostgreSQL through one Hikari pool shared by reads and writes. */
public final class PostgresStore extends JdbcStore {
  /** SQLSTATE of a unique-key violation. */
  static final String UNIQUE_VIOLATION = "23505";

  /** How long a request waits for a free connection before failing, in ms. */
  static final long CONNECTION_TIMEOUT_MS = 10_000;

  private final HikariDataSource pool;

  public PostgresStore(String jdbcUrl, String user, String password, int poolSize) {
    super(Dialect.POSTGRESQL);
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbcUrl);
    cfg.setUsername(user);
    cfg.setPassword(password);
    cfg.setPoolName("herald-postgres");
    cfg.setMaximumPoolSize(poolSize);
    cfg.setMinimumIdle(Math.min(2, poolSize));
    cfg.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    // The leases and the auto-commit reads assume it, whatever the server's default.
    cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    this.pool = new HikariDataSource(cfg);
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
    return run(pool, work, Mode.ONE_STATEMENT);
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
    pool.close();
  }
}
