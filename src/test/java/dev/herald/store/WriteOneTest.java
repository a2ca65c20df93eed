package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.HeraldError;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link Store#writeOne} and {@link Store#read} on both stores: one statement is atomic by itself
 * and a second one is refused; on PostgreSQL they run outside any transaction block (no BEGIN and
 * COMMIT or ROLLBACK round trips), which a SAVEPOINT, allowed only inside a block, shows.
 */
class WriteOneTest extends KvStores {
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

  /** The session's {@code synchronous_commit}, read by the statement itself. */
  private static final Store.Work<String> SYNCHRONOUS_COMMIT =
      tx -> tx.one("SHOW synchronous_commit", rs -> rs.getString(1)).orElseThrow();

  @Test
  void postgres_unsynced_writes_commit_without_waiting_for_the_disk() throws SQLException {
    Store s = postgres();
    String serverDefault =
        s.read(
            tx ->
                tx.one(
                        "SELECT reset_val FROM pg_settings WHERE name = 'synchronous_commit'",
                        rs -> rs.getString(1))
                    .orElseThrow());
    assertThat(s.writeOne(SYNCHRONOUS_COMMIT, Store.Commit.UNSYNCED)).isEqualTo("off");
    assertThat(s.writeOne(SYNCHRONOUS_COMMIT, Store.Commit.DURABLE)).isEqualTo(serverDefault);
    assertThat(s.writeOne(SYNCHRONOUS_COMMIT)).isEqualTo(serverDefault);
    // Visible at once to the other pool, and still one statement only.
    s.writeOne(tx -> tx.update("INSERT INTO kv VALUES ('u', 1)"), Store.Commit.UNSYNCED);
    assertThat(keys(s)).containsExactly("u");
    assertThatThrownBy(
            () ->
                s.writeOne(
                    tx -> {
                      tx.update("INSERT INTO kv VALUES ('v', 1)");
                      return tx.update("INSERT INTO kv VALUES ('w', 1)");
                    },
                    Store.Commit.UNSYNCED))
        .isInstanceOf(IllegalStateException.class);
    assertThat(keys(s)).containsExactly("u", "v");
  }

  @Test
  void sqlite_commits_unsynced_writes_like_any_other() {
    Store s = sqlite();
    s.writeOne(tx -> tx.update("INSERT INTO kv VALUES ('u', 1)"), Store.Commit.UNSYNCED);
    assertThat(keys(s)).containsExactly("u");
  }
}
