package dev.herald.torture;

import dev.herald.testing.TestHerald;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The delivery attempts a child Herald recorded, read from its database (no API serves them yet).
 */
final class Attempts {
  private Attempts() {}

  /** One attempt: the endpoint's HTTP status and how many characters of its body were kept. */
  record Row(String msgId, String url, int status, int responseLength) {}

  /** Waits until the messages {@code ids} have {@code n} attempts, up to {@code timeout}. */
  static List<Row> await(TestHerald.Storage storage, List<String> ids, int n, Duration timeout)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Row> rows = read(storage, ids);
    while (rows.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(200);
      rows = read(storage, ids);
    }
    return rows;
  }

  static List<Row> read(TestHerald.Storage storage, List<String> ids) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (Connection c = connect(storage)) {
      for (String id : ids) {
        try (PreparedStatement s =
            c.prepareStatement(
                "SELECT msg_id, url, response_status_code, LENGTH(response) FROM message_attempt"
                    + " WHERE msg_id = ? ORDER BY id")) {
          s.setString(1, id);
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              rows.add(new Row(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4)));
            }
          }
        }
      }
    }
    return rows;
  }

  private static Connection connect(TestHerald.Storage storage) throws SQLException {
    if (storage.pgSchema() != null) {
      return DriverManager.getConnection(
          "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + storage.pgSchema(),
          "postgres",
          null);
    }
    return DriverManager.getConnection(
        "jdbc:sqlite:" + storage.dataDir().resolve("herald.db") + "?open_mode=1");
  }
}
