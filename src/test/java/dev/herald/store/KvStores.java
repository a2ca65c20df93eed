package dev.herald.store;

import dev.herald.testing.PgSchema;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * For tests of a store's write paths on both stores: a store of either kind holding one table,
 * {@code kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)}, closed (and its schema dropped) after each
 * test.
 */
abstract class KvStores {
  @TempDir Path dir;

  private Store store;
  private PgSchema schema;

  @AfterEach
  void closeStore() throws SQLException {
    if (store != null) {
      store.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  Store sqlite() {
    store = new SqliteStore("jdbc:sqlite:" + dir.resolve("herald.db"));
    return table(store);
  }

  Store postgres() throws SQLException {
    schema = PgSchema.create("kv");
    store = schema.store(4);
    return table(store);
  }

  private static Store table(Store s) {
    s.write(tx -> tx.update("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"));
    return s;
  }

  static List<String> keys(Store s) {
    return s.read(tx -> tx.list("SELECT k FROM kv ORDER BY k", rs -> rs.getString(1)));
  }
}
