package dev.herald.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * One open transaction: thin helpers over JDBC. Parameters bind by Java type (String, Long,
 * Integer, Boolean, null). Not thread-safe; lives only inside {@link Store.Work#run}.
 */
public final class Tx {
  private final Connection connection;
  private final Dialect dialect;
  private final Statements statements;
  private List<Runnable> afterEnd;
  private boolean single;
  private int issued;

  Tx(Connection connection, Dialect dialect) {
    this.connection = connection;
    this.dialect = dialect;
    this.statements = null;
  }

  /** A transaction on a connection whose prepared statements stay open between transactions. */
  Tx(Statements statements, Dialect dialect) {
    this.connection = statements.connection();
    this.dialect = dialect;
    this.statements = statements;
  }

  /**
   * One SQL statement with its parameters, for a method that runs it together with its own (see
   * {@link dev.herald.delivery.DeliveryLedger#create}).
   */
  public record Sql(String text, Object... args) {}

  /**
   * One array parameter of a multi-row statement ({@code unnest(?)}, PostgreSQL): {@code get} of
   * every row, in order.
   */
  public static <T, V> V[] column(
      List<T> rows, Function<? super T, ? extends V> get, IntFunction<V[]> array) {
    return rows.stream().map(get).toArray(array);
  }

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  public Dialect dialect() {
    return dialect;
  }

  /**
   * Runs {@code action} once this transaction has ended, committed or rolled back (it may share a
   * group commit with other units). For cache invalidation: a cache dropped only after the commit
   * cannot be refilled with the state before it.
   */
  public void afterEnd(Runnable action) {
    if (afterEnd == null) {
      afterEnd = new ArrayList<>(2);
    }
    afterEnd.add(action);
  }

  /**
   * Runs {@code work} as one statement (see {@link Store#writeOne}): a second statement is a bug
   * and is refused before it runs. The limit ends with {@code work}: a group commit runs other
   * units in the same transaction.
   */
  <T> T oneStatement(Store.Work<T> work) throws SQLException {
    single = true;
    issued = 0;
    try {
      return work.run(this);
    } finally {
      single = false;
    }
  }

  /** Counts a statement about to run; refuses a second one in a single-statement transaction. */
  private void issuing() {
    if (single && issued++ > 0) {
      throw new IllegalStateException("a single-statement write issued a second statement");
    }
  }

  /** Runs the {@link #afterEnd} actions; the store calls it once the transaction ended. */
  void ended() {
    if (afterEnd != null) {
      List<Runnable> actions = afterEnd;
      afterEnd = null;
      for (Runnable action : actions) {
        try {
          action.run();
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(Tx.class)
              .error("an after-transaction action failed", e);
        }
      }
    }
  }

  /** All rows of {@code sql}. */
  public <T> List<T> list(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    return rows(prepare(sql, args), mapper, false);
  }

  /**
   * All rows of {@code sql}, planned for its arguments every time it runs. For a statement over
   * array arguments (a join with {@code unnest}): PostgreSQL would otherwise keep, after five runs,
   * a generic plan made while the tables were small, and scan a whole table per run as they grow.
   */
  public <T> List<T> listPlannedEachTime(Sql sql, RowMapper<T> mapper) throws SQLException {
    return rows(prepare(sql.text(), sql.args()), mapper, dialect == Dialect.POSTGRESQL);
  }

  /** Runs {@code st} and maps every row; {@code unnamed}: as an unnamed PostgreSQL statement. */
  private <T> List<T> rows(PreparedStatement st, RowMapper<T> mapper, boolean unnamed)
      throws SQLException {
    try {
      if (unnamed) {
        // Parsed and planned with its arguments on every run, never as a cached generic plan.
        st.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
      }
      try (ResultSet rs = st.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
        return out;
      }
    } finally {
      done(st);
    }
  }

  /** The first row of {@code sql}, if any. */
  public <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    PreparedStatement st = prepare(sql, args);
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() ? Optional.ofNullable(mapper.map(rs)) : Optional.empty();
    } finally {
      done(st);
    }
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the number of rows changed. */
  public int update(String sql, Object... args) throws SQLException {
    PreparedStatement st = prepare(sql, args);
    try {
      return st.executeUpdate();
    } finally {
      done(st);
    }
  }

  /** Runs {@code sql}, an INSERT, UPDATE or DELETE; returns the number of rows changed. */
  public int update(Sql sql) throws SQLException {
    return update(sql.text(), sql.args());
  }

  /**
   * Runs {@code sql} once per element of {@code rows} (its parameters), as one JDBC batch: one
   * round trip to PostgreSQL instead of one per row. Returns the rows changed by each.
   */
  public int[] batch(String sql, List<Object[]> rows) throws SQLException {
    if (rows.isEmpty()) {
      return new int[0];
    }
    if (single) {
      // Auto-commit mode does not promise that a batch commits as one.
      throw new IllegalStateException("a single-statement write ran a batch");
    }
    issuing();
    PreparedStatement st =
        statements != null ? statements.prepare(sql) : connection.prepareStatement(sql);
    try {
      for (Object[] args : rows) {
        for (int i = 0; i < args.length; i++) {
          bind(st, i + 1, args[i]);
        }
        st.addBatch();
      }
      return st.executeBatch();
    } finally {
      if (statements != null) {
        st.clearBatch();
      }
      done(st);
    }
  }

  private PreparedStatement prepare(String sql, Object... args) throws SQLException {
    issuing();
    PreparedStatement st =
        statements != null ? statements.prepare(sql) : connection.prepareStatement(sql);
    try {
      for (int i = 0; i < args.length; i++) {
        bind(st, i + 1, args[i]);
      }
      return st;
    } catch (SQLException | RuntimeException e) {
      done(st);
      throw e;
    }
  }

  /** Closes {@code st} unless the connection keeps its statements open. */
  private void done(PreparedStatement st) throws SQLException {
    if (statements == null) {
      st.close();
    }
  }

  private static void bind(PreparedStatement st, int index, Object value) throws SQLException {
    switch (value) {
      case null -> st.setNull(index, Types.NULL);
      case String s -> st.setString(index, s);
      case Long l -> st.setLong(index, l);
      case Integer n -> st.setInt(index, n);
      case Boolean b -> st.setBoolean(index, b);
      // PostgreSQL only: array parameters (unnest(?) writes several rows in one statement).
      case String[] a -> st.setArray(index, st.getConnection().createArrayOf("text", a));
      case Long[] a -> st.setArray(index, st.getConnection().createArrayOf("int8", a));
      case Integer[] a -> st.setArray(index, st.getConnection().createArrayOf("int4", a));
      default ->
          throw new IllegalArgumentException("cannot bind " + value.getClass().getSimpleName());
    }
  }

  /** A nullable integer column. */
  public static Integer nullableInt(ResultSet rs, String column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }
}
