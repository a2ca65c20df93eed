package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.core.HeraldError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@link GroupCommit} behind a real {@link SqliteStore} on a temporary file. Tests that need
 * several units in one batch hold the writer inside a first unit until the others are queued.
 *
 * <p>{@code write} deliberately ignores interrupts while its unit may commit, so the timeout runs
 * each test on a thread of its own: a hang fails the test instead of stalling the build.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GroupCommitTest {
  @TempDir Path dir;

  private SqliteStore store;
  private GroupCommit commits;
  private final List<CountDownLatch> latches = new ArrayList<>();
  private final List<Runnable> detach = new ArrayList<>();

  @BeforeEach
  void open() {
    store = new SqliteStore("jdbc:sqlite:" + dir.resolve("herald.db"));
    store.write(tx -> tx.update("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"));
    commits = store.groupCommit();
  }

  @AfterEach
  void close() {
    latches.forEach(CountDownLatch::countDown); // never leave the writer held
    store.close();
    detach.forEach(Runnable::run);
  }

  @Test
  void a_units_return_value_reaches_its_caller() {
    int inserted = store.write(tx -> tx.update("INSERT INTO kv VALUES ('a', 1)"));
    assertThat(inserted).isEqualTo(1);
    String read =
        store.write(tx -> tx.one("SELECT k || v FROM kv", rs -> rs.getString(1)).orElseThrow());
    assertThat(read).isEqualTo("a1");
    Object nothing = store.write(tx -> null);
    assertThat(nothing).isNull();
  }

  @Test
  void concurrent_writers_all_commit_in_fewer_transactions_than_units() throws Exception {
    int writers = 32;
    int each = 200;
    long units0 = commits.units();
    long batches0 = commits.batches();
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger changed = new AtomicInteger();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    String key = writer + "-" + i;
                    int value = i;
                    changed.addAndGet(
                        store.write(tx -> tx.update("INSERT INTO kv VALUES (?, ?)", key, value)));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(); // rethrows any writer's failure
      }
    }
    long units = commits.units() - units0;
    long batches = commits.batches() - batches0;
    assertThat(changed.get()).isEqualTo(writers * each);
    assertThat(count("SELECT count(*) FROM kv")).isEqualTo(writers * each);
    assertThat(units).isEqualTo(writers * each);
    assertThat(batches).as("transactions for %d units", units).isPositive().isLessThan(units);
  }

  @Test
  void a_unit_that_throws_is_rolled_back_alone_and_the_rest_of_its_batch_commits()
      throws Exception {
    RuntimeException boom = new IllegalArgumentException("boom");
    Batch batch = heldBatch();
    Future<Object> a = batch.queue(tx -> tx.update("INSERT INTO kv VALUES ('a', 1)"));
    Future<Object> b =
        batch.queue(
            tx -> {
              tx.update("INSERT INTO kv VALUES ('b', 2)");
              throw boom;
            });
    Future<Object> c = batch.queue(tx -> tx.update("INSERT INTO kv VALUES ('c', 3)"));
    batch.release();

    assertThat(a.get()).isEqualTo(1);
    assertThat(c.get()).isEqualTo(1);
    assertThatThrownBy(b::get).cause().isSameAs(boom);
    assertThat(keys()).containsExactly("a", "c");
    batch.assertOneTransaction();
  }

  @Test
  void a_unique_violation_is_a_conflict_rolled_back_alone_in_its_batch() throws Exception {
    store.write(tx -> tx.update("INSERT INTO kv VALUES ('taken', 0)"));
    Batch batch = heldBatch();
    Future<Object> a = batch.queue(tx -> tx.update("INSERT INTO kv VALUES ('a', 1)"));
    Future<Object> b =
        batch.queue(
            tx -> {
              tx.update("INSERT INTO kv VALUES ('b', 2)");
              return tx.update("INSERT INTO kv VALUES ('taken', 2)");
            });
    Future<Object> c = batch.queue(tx -> tx.update("INSERT INTO kv VALUES ('c', 3)"));
    batch.release();

    assertThat(a.get()).isEqualTo(1);
    assertThat(c.get()).isEqualTo(1);
    assertThatThrownBy(b::get).cause().isInstanceOf(HeraldError.Conflict.class);
    assertThat(keys()).containsExactly("a", "c", "taken");
    assertThat(count("SELECT v FROM kv WHERE k = 'taken'")).isZero();
    batch.assertOneTransaction();
  }

  @Test
  void a_large_unit_in_a_shared_batch_keeps_its_undo_in_memory_and_still_rolls_back()
      throws Exception {
    Assumptions.assumeTrue(
        Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd to see open files");
    // 200 rows of 2 KB: about 100 pages, committed before the batch, so that rewriting them
    // inside a savepoint journals about 400 KiB of their old content.
    store.write(
        tx -> {
          for (int i = 0; i < 200; i++) {
            tx.update("INSERT INTO kv VALUES (?, ?)", "big" + i, i);
          }
          return tx.update("ALTER TABLE kv ADD COLUMN pad TEXT");
        });
    store.write(tx -> tx.update("UPDATE kv SET pad = ?", "x".repeat(2000)));
    Batch batch = heldBatch();
    Future<Object> rewrite =
        batch.queue(
            tx -> {
              tx.update("UPDATE kv SET pad = ?", "y".repeat(2000));
              return sqliteTempFiles();
            });
    RuntimeException boom = new IllegalStateException("boom");
    Future<Object> undone =
        batch.queue(
            tx -> {
              tx.update("UPDATE kv SET pad = ?, v = -1", "z".repeat(2000));
              throw boom;
            });
    batch.release();

    assertThat(rewrite.get()).as("SQLite temp files open in the unit").isEqualTo(List.of());
    assertThatThrownBy(undone::get).cause().isSameAs(boom);
    assertThat(count("SELECT COUNT(*) FROM kv WHERE pad = '" + "y".repeat(2000) + "'"))
        .isEqualTo(200);
    assertThat(count("SELECT COUNT(*) FROM kv WHERE v < 0")).isZero();
    batch.assertOneTransaction();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void the_write_ahead_log_stays_bounded_under_writes_that_never_pause() throws Exception {
    writeWithoutPauseAndWatchTheLog(0);
    assertThat(store.writeAheadLog().orElseThrow().missedRestarts())
        .as("writer's checkpoints that readers kept from letting the log start over")
        .isZero();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void the_write_ahead_log_stays_bounded_beside_readers_that_never_pause() throws Exception {
    writeWithoutPauseAndWatchTheLog(SqliteStore.READ_POOL_SIZE);
  }

  /**
   * A store whose log may hold 256 pages (1 MiB), written to without a pause (96 MiB, paced to 40
   * MB/s) while {@code readers} threads run short read transactions back to back and another
   * watches the log's file. With passive checkpoints alone every write lands during the last
   * checkpoint, the log never starts over, and its file keeps everything written. Bounded, the log
   * starts over each time it passes the limit, and the file holds at most the limit plus what is
   * written during a checkpoint period and one checkpoint.
   */
  private void writeWithoutPauseAndWatchTheLog(int readers) throws Exception {
    Path wal = reopenWithSmallLog("bounded", SqliteStore.CATCH_UP_TIMEOUT);
    AtomicLong largest = new AtomicLong();
    AtomicInteger cuts = new AtomicInteger();
    AtomicLong reads = new AtomicLong();
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Thread> helpers = new ArrayList<>();
    helpers.add(
        Thread.ofPlatform()
            .start(
                () -> {
                  long last = 0;
                  while (writing.get()) {
                    try {
                      long size = Files.size(wal);
                      if (size < last / 2) {
                        cuts.incrementAndGet();
                      }
                      last = size;
                      largest.accumulateAndGet(size, Math::max);
                      Thread.sleep(5);
                    } catch (IOException | InterruptedException e) {
                      return;
                    }
                  }
                }));
    for (int r = 0; r < readers; r++) {
      helpers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (writing.get()) {
                      store.read(
                          tx ->
                              tx.one("SELECT max(k) FROM pad", rs -> rs.getLong(1)).orElseThrow());
                      reads.incrementAndGet();
                    }
                  }));
    }
    // 60 KB a batch, paced to 40 MB/s: about what Herald's writer puts in its log at 4,000
    // deliveries/s, and well under what a checkpoint copies here (about 190 MB/s). A slower
    // machine takes longer over the same amount.
    int batches = (96 << 20) / PAD_BATCH_BYTES;
    long batchNanos = TimeUnit.SECONDS.toNanos(1) * PAD_BATCH_BYTES / (40L << 20);
    long start = System.nanoTime();
    long written = 0;
    try {
      for (int batch = 0; batch < batches; batch++) {
        pad(batch);
        written += PAD_BATCH_BYTES;
        LockSupport.parkNanos(start + (batch + 1) * batchNanos - System.nanoTime());
      }
    } finally {
      writing.set(false);
      for (Thread t : helpers) {
        t.join();
      }
    }
    assertThat(reads.get()).as("reads").isGreaterThanOrEqualTo(readers * 100L);
    assertThat(cuts.get()).as("times the log file was cut back while writing").isGreaterThan(1);
    assertThat(store.writeAheadLog().orElseThrow().catchUps())
        .as("writer's checkpoints")
        .isPositive();
    // The limit plus what a checkpoint period and its passes see written: 20-30 MB here, against
    // everything written (96 MiB) when the log never starts over.
    assertThat(largest.get()).as("largest log file while writing").isLessThan(written / 2);
    assertThat(logFileOnceCaughtUp(wal))
        .as("log file once writes stopped")
        .isLessThanOrEqualTo(1L << 20);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void a_reader_that_outlasts_the_writers_wait_is_counted_and_the_log_starts_over_after_it()
      throws Exception {
    Path wal = reopenWithSmallLog("held", SqliteStore.CATCH_UP_TIMEOUT);
    ListAppender<ILoggingEvent> logged = captureLog();
    CountDownLatch done = holdAReadTransaction();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (int batch = 0;
        store.writeAheadLog().orElseThrow().missedRestarts() < SqliteStore.MISSED_RESTARTS_WARN
            && System.nanoTime() < deadline;
        batch++) {
      pad(batch);
      sleep(5);
    }
    Store.WriteAheadLog held = store.writeAheadLog().orElseThrow();
    assertThat(held.missedRestarts())
        .as("restarts readers kept from the log")
        .isGreaterThanOrEqualTo(SqliteStore.MISSED_RESTARTS_WARN);
    assertThat(held.catchUps()).isBetween(held.missedRestarts(), held.missedRestarts() + 1);
    assertThat(held.bytes()).as("log past its limit").isGreaterThan(1L << 20);
    assertThat(warnings(logged))
        .anyMatch(m -> m.contains("readers kept it from starting over in the last 8 checkpoints"));
    done.countDown();
    assertThat(logFileOnceCaughtUp(wal))
        .as("log file once the reader ended")
        .isLessThanOrEqualTo(1L << 20);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void a_writer_busy_past_the_checkpointers_wait_gets_no_second_checkpoint_and_one_warning()
      throws Exception {
    reopenWithSmallLog("late", Duration.ofMillis(200));
    // The reader keeps the log from starting over, so that it stays past its limit throughout.
    holdAReadTransaction();
    for (int batch = 0; batch < 40; batch++) {
      pad(batch); // 2.4 MB
    }
    Batch held = heldBatch();
    // Captured from here: a hand-off during the writes above, beside the held reader, may itself
    // have outlasted 200 ms on a loaded machine.
    ListAppender<ILoggingEvent> logged = captureLog();
    long before = store.writeAheadLog().orElseThrow().catchUps();
    // Six rounds: the first hands a checkpoint over and stops waiting for it after 200 ms; the
    // others find it still pending and hand over nothing.
    sleep(6 * SqliteStore.CHECKPOINT_EVERY.toMillis());
    assertThat(store.writeAheadLog().orElseThrow().catchUps()).isEqualTo(before);
    held.release();
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.writeAheadLog().orElseThrow().catchUps() > before);
    assertThat(warnings(logged))
        .filteredOn(m -> !m.contains("readers kept it from starting over"))
        .containsExactly(
            "The SQLite writer has not run its checkpoint within 200 ms; the write-ahead log"
                + " grows until it does");
  }

  /** 20 rows of 3,000 bytes: {@link #PAD_BATCH_BYTES} in one write. */
  private void pad(int batch) {
    String value = "x".repeat(3_000);
    int first = batch * 20;
    store.write(
        tx -> {
          for (int k = first; k < first + 20; k++) {
            tx.update("INSERT INTO pad VALUES (?, ?)", k, value);
          }
          return null;
        });
  }

  private static final int PAD_BATCH_BYTES = 60_000;

  /**
   * Replaces the store with one named {@code name} whose log may hold 256 pages (1 MiB), with a
   * table to {@link #pad}; returns its log's file.
   */
  private Path reopenWithSmallLog(String name, Duration catchUpTimeout) {
    store.close();
    store = new SqliteStore("jdbc:sqlite:" + dir.resolve(name + ".db"), 256, catchUpTimeout);
    commits = store.groupCommit();
    store.write(tx -> tx.update("CREATE TABLE pad (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    return dir.resolve(name + ".db-wal");
  }

  /**
   * Opens a read transaction on a thread of its own and keeps it open until the returned latch is
   * counted down (or the test ends): the pages it may still read from the log must stay there, so
   * the log cannot start over.
   */
  private CountDownLatch holdAReadTransaction() throws InterruptedException {
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    latches.add(done);
    Thread.ofPlatform()
        .start(
            () ->
                store.read(
                    tx -> {
                      tx.one("SELECT count(*) FROM pad", rs -> rs.getLong(1));
                      reading.countDown();
                      try {
                        done.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return null;
                    }));
    assertThat(reading.await(5, TimeUnit.SECONDS)).isTrue();
    return done;
  }

  /**
   * Writes a row every checkpoint period until the log's file is back to its limit (at most 40
   * times): once writes pause, a checkpoint copies the whole log, the next write starts it over,
   * and that write's commit cuts the file. Returns the file's last size.
   */
  private long logFileOnceCaughtUp(Path wal) throws Exception {
    long size = Long.MAX_VALUE;
    for (int k = -1; k >= -40 && size > 1L << 20; k--) {
      Thread.sleep(SqliteStore.CHECKPOINT_EVERY.toMillis());
      int key = k;
      store.write(tx -> tx.update("INSERT INTO pad VALUES (?, 'last')", key));
      size = Files.size(wal);
    }
    return size;
  }

  /** Collects what {@link SqliteStore} logs until the test ends. */
  private ListAppender<ILoggingEvent> captureLog() {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger log = (Logger) LoggerFactory.getLogger(SqliteStore.class);
    log.addAppender(logged);
    detach.add(() -> log.detachAppender(logged));
    return logged;
  }

  private static List<String> warnings(ListAppender<ILoggingEvent> logged) {
    List<ILoggingEvent> copy;
    synchronized (logged) { // the appender appends under its own lock
      copy = new ArrayList<>(logged.list);
    }
    return copy.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  /** Files this process holds open that SQLite made as temporary ones (named etilqs_*). */
  private static List<String> sqliteTempFiles() {
    List<String> found = new ArrayList<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.contains("etilqs_")) {
            found.add(target);
          }
        } catch (IOException gone) {
          // closed meanwhile
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  @Test
  void a_write_from_inside_a_unit_is_refused_instead_of_waiting_for_itself() {
    assertThatThrownBy(
            () ->
                store.write(
                    tx -> {
                      tx.update("INSERT INTO kv VALUES ('outer', 1)");
                      return store.write(inner -> inner.update("INSERT INTO kv VALUES ('in', 2)"));
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(keys()).isEmpty();
    // The writer is still alive and takes the next write.
    int after = store.write(tx -> tx.update("INSERT INTO kv VALUES ('after', 3)"));
    assertThat(after).isEqualTo(1);
    assertThat(keys()).containsExactly("after");
  }

  @Test
  void a_closed_store_refuses_writes_at_once() {
    store.close();
    long start = System.nanoTime();
    assertThatThrownBy(() -> store.write(tx -> tx.update("INSERT INTO kv VALUES ('a', 1)")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("closed");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
  }

  @Test
  void close_lets_queued_units_finish() throws Exception {
    Batch batch = heldBatch();
    Future<Object> a = batch.queue(tx -> tx.update("INSERT INTO kv VALUES ('a', 1)"));
    Thread closing = Thread.ofPlatform().daemon().start(commits::close);
    awaitWaiting(closing); // close() marks the store closed, then waits for the writer
    assertThatThrownBy(() -> store.write(tx -> 0)).isInstanceOf(StoreException.class);
    batch.release();
    closing.join();
    assertThat(a.get()).isEqualTo(1);
    assertThat(commits.units() - batch.units0).isEqualTo(2);
  }

  @Test
  void writers_racing_close_each_commit_or_are_refused_and_none_waits_for_ever() throws Exception {
    // Callers wait for their unit without a timeout, so when the store closes under them each
    // must end: committed or refused. (A unit queued just after the writer's last look at the
    // queue, which the writer's exit fails, is too narrow a window to hit on demand here.)
    int writers = 32;
    AtomicInteger committed = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(writers);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    started.countDown();
                    for (int i = 0; ; i++) {
                      String key = id + "-" + i;
                      try {
                        store.write(tx -> tx.update("INSERT INTO kv VALUES (?, 1)", key));
                        committed.incrementAndGet();
                      } catch (StoreException e) {
                        refused.incrementAndGet();
                        return;
                      } catch (Throwable e) {
                        unexpected.set(e);
                        return;
                      }
                    }
                  }));
    }
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    sleep(100);
    commits.close();
    for (Thread t : threads) {
      assertThat(t.join(Duration.ofSeconds(5))).as("writer thread ended").isTrue();
    }
    assertThat(unexpected.get()).isNull();
    assertThat(refused.get()).isEqualTo(writers);
    assertThat(committed.get()).isPositive();
    // Every write that returned committed; none that was refused did.
    assertThat(count("SELECT count(*) FROM kv")).isEqualTo(committed.get());
  }

  @Test
  void an_interrupted_caller_still_gets_its_committed_result_and_keeps_the_interrupt()
      throws Exception {
    AtomicReference<Thread> caller = new AtomicReference<>();
    AtomicReference<Object> outcome = new AtomicReference<>();
    AtomicBoolean interruptedAfter = new AtomicBoolean();
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .unstarted(
                () -> {
                  try {
                    outcome.set(
                        store.write(
                            tx -> {
                              tx.update("INSERT INTO kv VALUES ('i', 1)");
                              // Interrupt the caller while it waits for this very unit.
                              awaitWaiting(caller.get());
                              caller.get().interrupt();
                              sleep(50); // let the interrupt land before the commit
                              return "committed";
                            }));
                  } catch (Throwable e) {
                    outcome.set(e);
                  }
                  interruptedAfter.set(Thread.currentThread().isInterrupted());
                });
    caller.set(t);
    t.start();
    t.join();
    assertThat(outcome.get()).isEqualTo("committed");
    assertThat(interruptedAfter).isTrue();
    assertThat(keys()).containsExactly("i");
  }

  @Test
  void a_caller_interrupted_before_queueing_runs_nothing() throws Exception {
    AtomicBoolean ran = new AtomicBoolean();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean interruptedAfter = new AtomicBoolean();
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  Thread.currentThread().interrupt();
                  try {
                    store.write(tx -> ran.getAndSet(true));
                  } catch (Throwable e) {
                    thrown.set(e);
                  }
                  interruptedAfter.set(Thread.currentThread().isInterrupted());
                });
    t.join();
    assertThat(thrown.get()).isInstanceOf(StoreException.class);
    assertThat(interruptedAfter).isTrue();
    String next = store.write(tx -> "next"); // one full round trip later
    assertThat(next).isEqualTo("next");
    assertThat(ran).isFalse();
  }

  @Test
  void a_single_statement_unit_limits_only_itself_in_a_shared_batch() throws Exception {
    Batch batch = heldBatch();
    Future<Object> one = batch.queue(tx -> tx.update("INSERT INTO kv VALUES ('a', 1)"), true);
    Future<Object> two =
        batch.queue(
            tx -> {
              tx.update("INSERT INTO kv VALUES ('b', 1)");
              return tx.update("INSERT INTO kv VALUES ('c', 1)");
            });
    Future<Object> tooMany =
        batch.queue(
            tx -> {
              tx.update("INSERT INTO kv VALUES ('d', 1)");
              return tx.update("INSERT INTO kv VALUES ('e', 1)");
            },
            true);
    Future<Object> after = batch.queue(tx -> tx.update("INSERT INTO kv VALUES ('f', 1)"));
    batch.release();
    batch.assertOneTransaction();
    assertThat(one.get()).isEqualTo(1);
    assertThat(two.get()).isEqualTo(1);
    assertThatThrownBy(tooMany::get).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(after.get()).isEqualTo(1);
    assertThat(keys()).containsExactly("a", "b", "c", "f");
  }

  // --- helpers ---

  /**
   * Holds the writer inside a first unit; units queued meanwhile from other threads all run in the
   * one batch that follows.
   */
  private Batch heldBatch() throws InterruptedException {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    latches.add(release);
    long units0 = commits.units();
    long batches0 = commits.batches();
    Thread.ofPlatform()
        .daemon()
        .start(
            () ->
                store.write(
                    tx -> {
                      inside.countDown();
                      try {
                        if (!release.await(10, TimeUnit.SECONDS)) {
                          throw new IllegalStateException("never released");
                        }
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                      return null;
                    }));
    assertThat(inside.await(5, TimeUnit.SECONDS)).as("writer entered the holding unit").isTrue();
    return new Batch(release, units0, batches0);
  }

  private final class Batch {
    private final CountDownLatch release;
    private final long units0;
    private final long batches0;
    private final List<Thread> callers = new ArrayList<>();

    Batch(CountDownLatch release, long units0, long batches0) {
      this.release = release;
      this.units0 = units0;
      this.batches0 = batches0;
    }

    /** Calls {@code write(work)} on a thread of its own; returns once that call is queued. */
    Future<Object> queue(Store.Work<Object> work) {
      return queue(work, false);
    }

    /** As {@link #queue(Store.Work)}, or with {@code writeOne} when {@code one}. */
    Future<Object> queue(Store.Work<Object> work, boolean one) {
      CompletableFuture<Object> result = new CompletableFuture<>();
      Thread t =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    try {
                      result.complete(one ? store.writeOne(work) : store.write(work));
                    } catch (Throwable e) {
                      result.completeExceptionally(e);
                    }
                  });
      callers.add(t);
      awaitWaiting(t);
      return result;
    }

    void release() {
      release.countDown();
    }

    /** The holding unit took one transaction and every queued unit shared the next. */
    void assertOneTransaction() throws InterruptedException {
      for (Thread t : callers) {
        t.join();
      }
      assertThat(commits.units() - units0).isEqualTo(1 + callers.size());
      assertThat(commits.batches() - batches0).isEqualTo(2);
    }
  }

  /**
   * Waits until {@code t} is parked: inside {@code write}, that is the wait for its queued unit's
   * outcome (queueing itself does not wait while the queue has room); inside {@code close}, the
   * wait for the writer.
   */
  private static void awaitWaiting(Thread t) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      if (System.nanoTime() > deadline || !t.isAlive()) {
        throw new AssertionError("caller never waited: " + t.getState());
      }
      Thread.onSpinWait();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long count(String sql) {
    return store.read(tx -> tx.one(sql, rs -> rs.getLong(1)).orElseThrow());
  }

  private List<String> keys() {
    return store.read(tx -> tx.list("SELECT k FROM kv ORDER BY k", rs -> rs.getString(1)));
  }
}
