package dev.herald.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Ids;
import dev.herald.delivery.Attempt;
import dev.herald.delivery.Delivery;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.delivery.Recorder;
import dev.herald.delivery.Status;
import dev.herald.store.Dialect;
import dev.herald.store.Store;
import dev.herald.testing.PgSchema;
import dev.herald.web.Json;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The multi-row statements that PostgreSQL runs for a batch of concurrent writes: several messages
 * with their deliveries ({@link MessageSql#insertions} with {@link DeliveryLedger#create}), and
 * several attempt records ({@link DeliveryLedger#recordAll}). Each must leave exactly the rows that
 * the one-at-a-time statements leave. Records go through the {@link Recorder} unsynced.
 */
class BatchedWritesTest {
  private static final long LEASE = 30_000;
  private static final long NOW = 1_800_000_000_000L;

  private final MessageSql sql = new MessageSql(new Json(1 << 20));
  private final DeliveryLedger ledger = new DeliveryLedger();
  private Store store;
  private PgSchema schema;

  @BeforeEach
  void open() throws SQLException {
    schema = PgSchema.create("batched");
    store = schema.store(4);
    store.migrate();
    store.write(
        tx -> {
          tx.update(
              "INSERT INTO application (id, org_id, name, created_at, updated_at)"
                  + " VALUES ('app_1', 'org', 'one', 0, 0)");
          for (String e : List.of("ep_a", "ep_b")) {
            tx.update(
                "INSERT INTO endpoint (id, app_id, url, secret, created_at, updated_at)"
                    + " VALUES (?, 'app_1', 'http://127.0.0.1:1/', 'whsec_x', 0, 0)",
                e);
          }
          return null;
        });
  }

  @AfterEach
  void close() throws SQLException {
    if (store != null) {
      store.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  private static Message message(int i, String eventId, List<String> channels, List<String> tags) {
    long at = NOW + i;
    return new Message(
        Ids.next(Ids.Prefix.MESSAGE, Instant.ofEpochMilli(at)),
        "app_1",
        "user.signup",
        eventId,
        channels,
        tags,
        "{\"n\":" + i + ",\"quote\":\"a \\\"b\\\" {c} \\\\ d\"}",
        at,
        at + 86_400_000L);
  }

  @Test
  void several_messages_and_their_deliveries_in_one_statement_read_back_as_written() {
    List<Message> ms =
        List.of(
            message(0, "evt-0", List.of("ch,1", "ch\"2"), List.of("t{1}")),
            message(1, null, null, null),
            message(2, "evt-2", List.of(), List.of("x")));
    List<List<String>> targets = List.of(List.of("ep_a", "ep_b"), List.of(), List.of("ep_b"));
    List<Delivery> rows = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      Message m = ms.get(i);
      rows.addAll(
          DeliveryLedger.pending(
              m.appId(), m.id(), targets.get(i), Delivery.SCHEDULED, m.createdAt()));
    }
    store.writeOne(tx -> ledger.create(tx, sql.insertions(ms), rows, LEASE));

    for (int i = 0; i < ms.size(); i++) {
      Message m = ms.get(i);
      Message back = store.read(tx -> sql.byIdAnyApp(tx, m.id())).orElseThrow();
      assertThat(back).isEqualTo(m);
      List<Delivery> stored = store.read(tx -> ledger.ofMessage(tx, m.id()));
      assertThat(stored)
          .containsExactlyInAnyOrderElementsOf(
              rows.stream().filter(d -> d.msgId().equals(m.id())).toList());
    }
    List<Long> leases =
        store.read(
            tx ->
                tx.list(
                    "SELECT lease_until - created_at FROM delivery WHERE lease_owner = ?",
                    rs -> rs.getLong(1),
                    DeliveryLedger.QUEUED));
    assertThat(leases).hasSize(3).containsOnly(LEASE);
  }

  private Attempt attempt(Delivery d, Status status, int code, String response) {
    return new Attempt(
        Ids.next(Ids.Prefix.ATTEMPT, Instant.ofEpochMilli(NOW)),
        d.appId(),
        d.msgId(),
        d.endpointId(),
        d.id(),
        "http://127.0.0.1:1/",
        status,
        code,
        response,
        12,
        d.triggerType(),
        NOW + 5);
  }

  /** Four claimed deliveries, and one record of each kind, lease lost last. */
  private List<DeliveryLedger.Recorded> claimedAndRecorded() {
    Message m = message(0, null, null, null);
    List<String> four = List.of("ep_a", "ep_b", "ep_a", "ep_b");
    List<Delivery> rows = DeliveryLedger.pending("app_1", m.id(), four, Delivery.SCHEDULED, NOW);
    store.writeOne(tx -> ledger.create(tx, sql.insertion(m), rows, LEASE));
    for (int i = 0; i < rows.size(); i++) {
      String token = "node:" + i;
      String id = rows.get(i).id();
      boolean claimed =
          store.writeOne(tx -> ledger.claim(tx, id, token, NOW + 1, NOW + 60_000)).isPresent();
      assertThat(claimed).isTrue();
    }
    return List.of(
        new DeliveryLedger.Recorded(
            "node:0", attempt(rows.get(0), Status.SUCCESS, 200, "ok"), null, NOW + 5),
        new DeliveryLedger.Recorded(
            "node:1", attempt(rows.get(1), Status.FAIL, 500, "boom"), NOW + 5_000, NOW + 5),
        new DeliveryLedger.Recorded(
            "node:2", attempt(rows.get(2), Status.FAIL, 0, null), null, NOW + 5),
        new DeliveryLedger.Recorded(
            "stale:3", attempt(rows.get(3), Status.SUCCESS, 204, ""), null, NOW + 5));
  }

  private record State(
      Status status, int attempts, Long next, String owner, String outcome, long updated) {}

  /** An attempt row without the ids that differ between two runs. */
  private record Logged(
      String endpointId, String url, Status status, int code, String response, long at) {}

  /** Per record: its delivery's state, then what its attempt logged. */
  private List<Object> rowsAfter(List<DeliveryLedger.Recorded> records) {
    List<Object> out = new ArrayList<>();
    for (DeliveryLedger.Recorded r : records) {
      String id = r.attempt().deliveryId();
      out.add(
          store
              .read(
                  tx ->
                      tx.one(
                          "SELECT * FROM delivery WHERE id = ?",
                          rs -> {
                            long next = rs.getLong("next_attempt_at");
                            Long nextAt = rs.wasNull() ? null : next;
                            return new State(
                                Status.of(rs.getInt("status")),
                                rs.getInt("attempts"),
                                nextAt,
                                rs.getString("lease_owner"),
                                rs.getString("outcome"),
                                rs.getLong("updated_at"));
                          },
                          id))
              .orElseThrow());
      out.add(
          store.read(tx -> ledger.attemptsOfMessage(tx, r.attempt().msgId())).stream()
              .filter(a -> a.deliveryId().equals(id))
              .map(
                  a ->
                      new Logged(
                          a.endpointId(),
                          a.url(),
                          a.status(),
                          a.responseStatusCode(),
                          a.response(),
                          a.createdAt()))
              .toList());
    }
    return out;
  }

  @Test
  void a_batch_with_two_records_of_one_delivery_credits_only_the_lease_holder() {
    DeliveryLedger.Recorded stale = claimedAndRecorded().get(3);
    Attempt a = stale.attempt();
    Attempt again =
        new Attempt(
            Ids.next(Ids.Prefix.ATTEMPT, Instant.ofEpochMilli(NOW + 6)),
            a.appId(),
            a.msgId(),
            a.endpointId(),
            a.deliveryId(),
            a.url(),
            a.status(),
            a.responseStatusCode(),
            a.response(),
            a.responseDurationMs(),
            a.triggerType(),
            NOW + 6);
    DeliveryLedger.Recorded holder = new DeliveryLedger.Recorded("node:3", again, null, NOW + 6);

    List<Boolean> held = store.writeOne(tx -> ledger.recordAll(tx, List.of(stale, holder)));

    assertThat(held).containsExactly(false, true);
    assertThat(rowsAfter(List.of(holder)).get(0))
        .isEqualTo(new State(Status.SUCCESS, 1, null, null, "delivered", NOW + 6));
  }

  @Test
  void several_records_in_one_statement_leave_what_one_at_a_time_leaves() throws SQLException {
    List<DeliveryLedger.Recorded> batched = claimedAndRecorded();
    List<Boolean> held = store.writeOne(tx -> ledger.recordAll(tx, batched));
    assertThat(held).containsExactly(true, true, true, false);
    List<Object> afterBatch = rowsAfter(batched);

    // The same, one statement each, on a fresh set of deliveries.
    close();
    open();
    List<DeliveryLedger.Recorded> single = claimedAndRecorded();
    List<Boolean> heldSingly = new ArrayList<>();
    for (DeliveryLedger.Recorded r : single) {
      heldSingly.add(store.writeOne(tx -> ledger.record(tx, r)));
    }
    assertThat(heldSingly).isEqualTo(held);
    assertThat(afterBatch.get(0))
        .isEqualTo(new State(Status.SUCCESS, 1, null, null, "delivered", NOW + 5));
    assertThat(afterBatch.get(2))
        .isEqualTo(new State(Status.PENDING, 1, NOW + 5_000, null, null, NOW + 5));
    assertThat(afterBatch.get(4))
        .isEqualTo(new State(Status.FAIL, 1, null, null, "exhausted", NOW + 5));
    // The lost lease: the attempt is logged, the row keeps its newer state.
    assertThat(afterBatch.get(6))
        .isEqualTo(new State(Status.SENDING, 0, NOW, "node:3", null, NOW + 1));
    assertThat(afterBatch.get(7))
        .isEqualTo(
            List.of(new Logged("ep_b", "http://127.0.0.1:1/", Status.SUCCESS, 204, "", NOW + 5)));
    assertThat(rowsAfter(single)).isEqualTo(afterBatch);
  }

  @Test
  void the_recorder_commits_records_without_waiting_for_the_disk() {
    List<DeliveryLedger.Recorded> records = claimedAndRecorded();
    List<Store.Commit> commits = new CopyOnWriteArrayList<>();
    Store watched =
        new Store() {
          @Override
          public Dialect dialect() {
            return store.dialect();
          }

          @Override
          public <T> T write(Work<T> work) {
            throw new AssertionError("a record is one statement");
          }

          @Override
          public <T> T writeOne(Work<T> work) {
            return writeOne(work, Commit.DURABLE);
          }

          @Override
          public <T> T writeOne(Work<T> work, Commit commit) {
            commits.add(commit);
            return store.writeOne(work, commit);
          }

          @Override
          public <T> T read(Work<T> work) {
            return store.read(work);
          }

          @Override
          public void migrate() {}

          @Override
          public boolean ping() {
            return true;
          }

          @Override
          public void close() {}
        };
    Recorder recorder = new Recorder(watched, ledger);

    assertThat(recorder.record(records.get(0))).isTrue();
    assertThat(recorder.record(records.get(3))).isFalse();

    assertThat(commits).containsExactly(Store.Commit.UNSYNCED, Store.Commit.UNSYNCED);
    assertThat(rowsAfter(records.subList(0, 1)).get(0))
        .isEqualTo(new State(Status.SUCCESS, 1, null, null, "delivered", NOW + 5));
  }
}
