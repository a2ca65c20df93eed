package dev.herald.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepared statements kept open on one connection that outlives its transactions (the SQLite
 * writer's), by SQL text, least recently used first out. SQLite compiles a statement on every
 * prepare, and the writer runs the same few statements thousands of times a second; the driver
 * (sqlite-jdbc) keeps no cache of its own. Not thread-safe: only the connection's one thread uses
 * it.
 */
final class Statements implements AutoCloseable {
  /** Statements kept at most; SQL built per call (page queries) cycles through the rest. */
  static final int MAX = 128;

  private final Connection connection;
  private final Map<String, PreparedStatement> open =
      new LinkedHashMap<>(MAX * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
          if (size() <= MAX) {
            return false;
          }
          closeQuietly(eldest.getValue());
          return true;
        }
      };

  Statements(Connection connection) {
    this.connection = connection;
  }

  Connection connection() {
    return connection;
  }

  /** The statement for {@code sql}, its parameters cleared. */
  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement st = open.get(sql);
    if (st == null) {
      st = connection.prepareStatement(sql);
      open.put(sql, st);
    } else {
      st.clearParameters();
    }
    return st;
  }

  private static void closeQuietly(PreparedStatement st) {
    try {
      st.close();
    } catch (SQLException ignored) {
      // closing a statement of a connection that failed: nothing left to free
    }
  }

  /** Closes every statement, then the connection. */
  @Override
  public void close() throws SQLException {
    open.values().forEach(Statements::closeQuietly);
    open.clear();
    connection.close();
  }
}
