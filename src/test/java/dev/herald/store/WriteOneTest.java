package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.HeraldError;
import dev.herald.testing.TestHerald;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Store#writeOne} and {@link Store#read} on both stores: one statement is atomic by itself
 * and a second one is refused; on PostgreSQL they run outside any transaction block (no BEGIN and
 * COMMIT or ROLLBACK round trips), which a SAVEPOINT, allowed only inside a block, shows.
 */
class WriteOneTest {
  private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";

  @TempDir Path dir;

  private Store store;
  private String schema;

  @AfterEach
  void close() throws SQLException {
    if (store != null) {
      store.close();
    }
    if (schema != null) {
      sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  private Store sqlite() {
    store = new SqliteStore("jdbc:sqlite:" + dir.resolve("herald.db"));
    return table(store);
  }

  private Store postgres() throws SQLException {
    TestHerald.requirePostgres();
    schema = "writeone_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    sql("CREATE SCHEMA " + schema);
    store = new PostgresStore(PG + "?currentSchema=" + schema, "postgres", null, 4);
    return table(store);
  }

  private static Store table(Store s) {
    s.write(tx -> tx.update("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"));
    return s;
  }

  private static void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(PG, "postgres", null);
        Statement st = c.createStatement()) {
      st.execute(statement);
    }
  }

  private static List<String> keys(Store s) {
    return s.read(tx -> tx.list("SELECT k FROM kv ORDER BY k", rs -> rs.getString(1)));
  }

  private static void oneStatementCommitsAndASecondIsRefused(Store s) {
    int inserted = s.writeOne(tx -> tx.update("INSERT INTO kv VALUES ('a', 1)"));
    assertThat(inserted).isEqualTo(1);
    assertThat(keys(s)).containsExactly("a");
    assertThatThrownBy(
            () ->
                s.writeOne(
                    tx -> {
                      tx.update("UPDATE kv SET v = 2 WHERE k = 'a'");
                      return tx.update("INSERT INTO kv VALUES ('b', 1)");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("second statement");
    assertThat(keys(s)).containsExactly("a"); // the second statement never ran
    assertThatThrownBy(
            () ->
                s.writeOne(
                    tx ->
                        tx.batch(
                            "INSERT INTO kv VALUES (?, 1)", List.<Object[]>of(new Object[] {"c"}))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("batch");
    assertThat(keys(s)).containsExactly("a");
  }

  private static void aFailingStatementChangesNothing(Store s) {
    s.writeOne(tx -> tx.update("INSERT INTO kv VALUES ('k', 1)"));
    // One multi-row statement: the duplicate second row fails it whole.
    assertThatThrownBy(
            () -> s.writeOne(tx -> tx.update("INSERT INTO kv VALUES ('j', 1), ('k', 2)")))
        .isInstanceOf(HeraldError.Conflict.class);
    assertThat(keys(s)).containsExactly("k");
  }

  @Test
  void sqlite_one_statement_commits_and_a_second_is_refused() {
    oneStatementCommitsAndASecondIsRefused(sqlite());
  }

  @Test
  void postgres_one_statement_commits_and_a_second_is_refused() throws SQLException {
    oneStatementCommitsAndASecondIsRefused(postgres());
  }

  @Test
  void sqlite_a_failing_single_statement_changes_nothing() {
    aFailingStatementChangesNothing(sqlite());
  }

  @Test
  void postgres_a_failing_single_statement_changes_nothing() throws SQLException {
    aFailingStatementChangesNothing(postgres());
  }

  @Test
  void postgres_runs_single_writes_and_reads_outside_a_transaction_block() throws SQLException {
    Store s = postgres();
    // A transaction block allows a savepoint ...
    int none = s.write(tx -> tx.update("SAVEPOINT probe"));
    assertThat(none).isZero();
    // ... a statement sent on its own does not.
    assertThatThrownBy(() -> s.writeOne(tx -> tx.update("SAVEPOINT probe")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("transaction blocks");
    assertThatThrownBy(() -> s.read(tx -> tx.update("SAVEPOINT probe")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("transaction blocks");
    // Reads still see what committed.
    s.writeOne(tx -> tx.update("INSERT INTO kv VALUES ('r', 7)"));
    Optional<Integer> v = s.read(tx -> tx.one("SELECT v FROM kv", rs -> rs.getInt(1)));
    assertThat(v).contains(7);
  }
}
