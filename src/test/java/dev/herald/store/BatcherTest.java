package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.HeraldError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Batcher} on both stores: a caller alone writes on its own thread; callers that queue while
 * every slot is busy share one statement, each with its own answer; a batch that fails is written
 * again item by item, so only the bad item's caller fails and nothing is written twice.
 */
class BatcherTest extends KvStores {
  private static final int CALLERS = 10;

  private final ExecutorService pool = Executors.newCachedThreadPool();

  /** The item whose single write waits for {@link #gate}: it holds the only slot meanwhile. */
  private static final String BLOCKER = "blocker";

  private final CountDownLatch gate = new CountDownLatch(1);
  private final CountDownLatch blocking = new CountDownLatch(1);
  private final Map<String, String> threadOf = new ConcurrentHashMap<>();
  private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stopCallers() {
    gate.countDown();
    pool.shutdownNow();
  }

  /** Inserts each key once; answers "key:one" or "key:many" by the path that wrote it. */
  private Batcher<String, String> batcher(Store s) {
    return batcher(
        s,
        (tx, items) -> {
          batchSizes.add(items.size());
          String values = String.join(", ", Collections.nCopies(items.size(), "(?, 1)"));
          tx.update("INSERT INTO kv (k, v) VALUES " + values, items.toArray());
          return items.stream().map(k -> k + ":many").toList();
        });
  }

  /**
   * One writer slot and {@code many}; alone, an item is inserted and answered "key:one", and {@link
   * #BLOCKER} holds the slot until {@link #gate} opens.
   */
  private Batcher<String, String> batcher(Store s, Batcher.Many<String, String> many) {
    return new Batcher<>(
        s,
        Store.Commit.DURABLE,
        1,
        64,
        many,
        (tx, item) -> {
          threadOf.put(item, Thread.currentThread().getName());
          if (item.equals(BLOCKER)) {
            blocking.countDown();
            try {
              gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          tx.update("INSERT INTO kv (k, v) VALUES (?, 1)", item);
          return item + ":one";
        });
  }

  /**
   * Holds the only slot with {@link #BLOCKER}, queues {@code keys} behind it, then lets go; returns
   * each key's answer (or its exception's class name).
   */
  private Map<String, String> queuedBehindABusySlot(Batcher<String, String> b, List<String> keys)
      throws Exception {
    Future<String> first = pool.submit(() -> b.submit(BLOCKER));
    assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
    Map<String, Future<String>> futures = new java.util.LinkedHashMap<>();
    for (String k : keys) {
      futures.put(
          k,
          pool.submit(
              () -> {
                try {
                  return b.submit(k);
                } catch (RuntimeException e) {
                  return e.getClass().getSimpleName();
                }
              }));
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (b.queued() < keys.size() && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(b.queued()).isEqualTo(keys.size());
    gate.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(BLOCKER + ":one");
    Map<String, String> answers = new java.util.LinkedHashMap<>();
    for (var e : futures.entrySet()) {
      answers.put(e.getKey(), e.getValue().get(10, TimeUnit.SECONDS));
    }
    return answers;
  }

  private static List<String> keys(String prefix) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      keys.add(prefix + i);
    }
    return keys;
  }

  private void aCallerAloneWritesOnItsOwnThread(Store s) throws Exception {
    Batcher<String, String> b = batcher(s);
    String answer =
        pool.submit(
                () -> {
                  Thread.currentThread().setName("the-caller");
                  return b.submit("solo");
                })
            .get(10, TimeUnit.SECONDS);
    assertThat(answer).isEqualTo("solo:one");
    if (s.dialect() == Dialect.POSTGRESQL) {
      // No hand-off to another thread (SQLite's store hands every write to its writer thread).
      assertThat(threadOf).containsEntry("solo", "the-caller");
    }
    assertThat(b.counts()).isEqualTo(new Store.WriteCounts(1, 1));
    assertThat(keys(s)).containsExactly("solo");
  }

  private void callersQueuedMeanwhileShareOneStatement(Store s) throws Exception {
    Batcher<String, String> b = batcher(s);
    List<String> keys = keys("k");
    Map<String, String> answers = queuedBehindABusySlot(b, keys);
    for (String k : keys) {
      assertThat(answers).containsEntry(k, k + ":many");
    }
    assertThat(batchSizes).containsExactly(CALLERS);
    assertThat(b.counts()).isEqualTo(new Store.WriteCounts(CALLERS + 1, 2));
    List<String> all = new ArrayList<>(keys);
    all.add(BLOCKER);
    Collections.sort(all);
    assertThat(keys(s)).containsExactlyElementsOf(all);
  }

  private void aFailedBatchIsWrittenItemByItem(Store s) throws Exception {
    s.writeOne(tx -> tx.update("INSERT INTO kv (k, v) VALUES ('k3', 0)"));
    Batcher<String, String> b = batcher(s);
    List<String> keys = keys("k");
    Map<String, String> answers = queuedBehindABusySlot(b, keys);
    // k3 exists: the shared statement failed whole, then each item went alone.
    assertThat(batchSizes).containsExactly(CALLERS);
    for (String k : keys) {
      assertThat(answers)
          .containsEntry(
              k, k.equals("k3") ? HeraldError.Conflict.class.getSimpleName() : k + ":one");
    }
    assertThat(b.counts()).isEqualTo(new Store.WriteCounts(CALLERS, CALLERS));
    List<String> all = new ArrayList<>(keys);
    all.add(BLOCKER);
    Collections.sort(all);
    assertThat(keys(s)).containsExactlyElementsOf(all);
    // The pre-existing row is untouched, and nothing was written twice (the keys are unique).
    java.util.Optional<Integer> v =
        s.read(tx -> tx.one("SELECT v FROM kv WHERE k = 'k3'", rs -> rs.getInt(1)));
    assertThat(v).contains(0);
  }

  @Test
  void sqlite_a_caller_alone_writes_on_its_own_thread() throws Exception {
    aCallerAloneWritesOnItsOwnThread(sqlite());
  }

  @Test
  void postgres_a_caller_alone_writes_on_its_own_thread() throws Exception {
    aCallerAloneWritesOnItsOwnThread(postgres());
  }

  @Test
  void sqlite_callers_queued_meanwhile_share_one_statement() throws Exception {
    callersQueuedMeanwhileShareOneStatement(sqlite());
  }

  @Test
  void postgres_callers_queued_meanwhile_share_one_statement() throws Exception {
    callersQueuedMeanwhileShareOneStatement(postgres());
  }

  @Test
  void sqlite_a_failed_batch_is_written_item_by_item() throws Exception {
    aFailedBatchIsWrittenItemByItem(sqlite());
  }

  @Test
  void postgres_a_failed_batch_is_written_item_by_item() throws Exception {
    aFailedBatchIsWrittenItemByItem(postgres());
  }

  @Test
  void a_failure_the_batch_shares_is_every_callers_answer_without_a_retry_each() throws Exception {
    Store s = sqlite();
    Batcher<String, String> b =
        batcher(
            s,
            (tx, items) -> {
              throw new java.sql.SQLException("connection lost", "08006");
            });
    Map<String, String> answers = queuedBehindABusySlot(b, keys("q"));
    assertThat(answers.values()).containsOnly(StoreException.class.getSimpleName());
    assertThat(threadOf).containsOnlyKeys(BLOCKER); // no one-by-one retry
    assertThat(keys(s)).containsExactly(BLOCKER);
  }

  @Test
  void a_batch_that_answers_the_wrong_count_fails_its_callers_instead_of_hanging()
      throws Exception {
    Batcher<String, String> b = batcher(sqlite(), (tx, items) -> List.of("only one"));
    Map<String, String> answers = queuedBehindABusySlot(b, keys("w"));
    assertThat(answers.values()).containsOnly(IllegalStateException.class.getSimpleName());
  }
}
