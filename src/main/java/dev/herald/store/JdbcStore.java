package dev.herald.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.herald.core.HeraldError;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * What both stores share: running work in a transaction on a pool, and Flyway. Subclasses choose
 * the pools and say which driver errors are unique-key violations.
 */
abstract sealed class JdbcStore implements Store permits SqliteStore, PostgresStore {
  private final Dialect dialect;

  JdbcStore(Dialect dialect) {
    this.dialect = dialect;
  }

  /** The pool that runs read-write transactions. */
  abstract HikariDataSource writePool();

  /** The pool that runs read-only transactions. */
  abstract HikariDataSource readPool();

  /** True when {@code e} is a unique-key violation of this driver. */
  abstract boolean isUniqueViolation(SQLException e);

  @Override
  public Dialect dialect() {
    return dialect;
  }

  /** How {@link #run} runs a unit of work on its connection. */
  enum Mode {
    /** In a transaction that commits. */
    WRITE,
    /** In a transaction that rolls back: it only reads. */
    READ,
    /** In auto-commit mode: each statement is its own transaction, without BEGIN and COMMIT. */
    AUTO_COMMIT,
    /** In auto-commit mode, one statement only ({@link Tx#oneStatement}). */
    ONE_STATEMENT
  }

  @Override
  public <T> T write(Work<T> work) {
    return run(writePool(), work, Mode.WRITE);
  }

  @Override
  public <T> T read(Work<T> work) {
    return run(readPool(), work, Mode.READ);
  }

  @Override
  public <T> T writeOne(Work<T> work) {
    return write(tx -> tx.oneStatement(work));
  }

  /** Runs {@code work} on a connection of {@code pool} as {@code mode} says. */
  final <T> T run(DataSource pool, Work<T> work, Mode mode) {
    Tx tx = null;
    try (Connection c = pool.getConnection()) {
      boolean block = mode == Mode.WRITE || mode == Mode.READ;
      c.setAutoCommit(!block);
      tx = new Tx(c, dialect);
      if (!block) {
        return mode == Mode.ONE_STATEMENT ? tx.oneStatement(work) : work.run(tx);
      }
      try {
        T result = work.run(tx);
        if (mode == Mode.READ) {
          c.rollback();
        } else {
          c.commit();
        }
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        JdbcStore.rollback(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw translate(e);
    } finally {
      if (tx != null) {
        tx.ended();
      }
    }
  }

  /** Rolls {@code c} back after {@code cause}; a failure to roll back is added to it. */
  static void rollback(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  /** A driver error as Herald answers it: a unique-key violation is a 409, the rest a 500. */
  final RuntimeException translate(SQLException e) {
    if (isUniqueViolation(e)) {
      return new HeraldError.Conflict("An object with that unique key already exists.");
    }
    return new StoreException("database error: " + e.getMessage(), e);
  }

  @Override
  public void migrate() {
    Flyway.configure()
        .dataSource(writePool())
        .locations(dialect.migrationLocation())
        .load()
        .migrate();
  }

  @Override
  public boolean ping() {
    try (Connection c = readPool().getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }
}
