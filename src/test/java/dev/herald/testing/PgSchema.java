package dev.herald.testing;

import dev.herald.store.PostgresStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh schema on the local test PostgreSQL, for tests that use a store directly; dropped on
 * close. Creating one skips the test when PostgreSQL is not reachable (fails it under CI).
 */
public final class PgSchema implements AutoCloseable {
  public static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

  private final String name;

  private PgSchema(String name) {
    this.name = name;
  }

  /** A new schema named {@code prefix_<random>}. */
  public static PgSchema create(String prefix) throws SQLException {
    TestHerald.requirePostgres();
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    sql("CREATE SCHEMA " + name);
    return new PgSchema(name);
  }

  /** A store on this schema with a pool of {@code poolSize} connections. */
  public PostgresStore store(int poolSize) {
    return new PostgresStore(URL + "?currentSchema=" + name, "postgres", null, poolSize);
  }

  /** Runs {@code statement} on the test database, outside any schema of a test. */
  public static void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, "postgres", null);
        Statement st = c.createStatement()) {
      st.execute(statement);
    }
  }

  @Override
  public void close() throws SQLException {
    sql("DROP SCHEMA IF EXISTS " + name + " CASCADE");
  }
}
