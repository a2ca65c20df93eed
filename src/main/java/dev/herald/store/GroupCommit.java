package dev.herald.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Group commit for a store with one writer (SQLite): every write transaction is handed to one
 * writer thread, which runs whatever has queued up since its last commit inside one database
 * transaction, each unit of work under its own savepoint, and commits once. A caller's {@link
 * #write} returns only after the commit that holds its work, so "returned" still means "durable"
 * (to the store's synchronous setting); a unit that throws is rolled back to its savepoint alone
 * and its caller gets the exception, while the others commit.
 *
 * <p>Why by hand: SQLite lets one connection write at a time, so writers queued on that connection
 * anyway; one commit and one lock hand-off per request cost more than the work itself at a few
 * thousand writes per second. No kept library batches arbitrary JDBC units of work this way.
 *
 * <p>Bounds: at most {@link #QUEUE} units wait (callers beyond that block, which the admission
 * control above bounds in turn) and one batch holds at most {@link #MAX_BATCH}. A write issued from
 * inside a unit of work would wait for itself, so it is refused.
 */
final class GroupCommit implements AutoCloseable {
  /** Largest number of units in one transaction. */
  static final int MAX_BATCH = 256;

  /** Units waiting for the writer at most. */
  static final int QUEUE = 4096;

  private record Job<T>(Store.Work<T> work, CompletableFuture<T> done) {}

  /** Opens the writer's connection. */
  @FunctionalInterface
  interface Connector {
    Connection open() throws SQLException;
  }

  private final Connector connections;
  private Statements statements;
  private final Dialect dialect;
  private final Function<SQLException, RuntimeException> translate;
  private final BlockingQueue<Job<?>> jobs = new ArrayBlockingQueue<>(QUEUE);
  private final LongAdder batches = new LongAdder();
  private final LongAdder units = new LongAdder();
  private final Thread writer;
  private final AtomicReference<Upkeep> upkeep = new AtomicReference<>();
  private volatile boolean closed;

  /** Set by the writer as it ends, before it fails the jobs still queued. */
  private volatile boolean ended;

  /** A task for the writer's thread between two transactions, and its outcome. */
  private record Upkeep(Store.Work<Void> task, CompletableFuture<Void> done) {}

  GroupCommit(
      String name,
      Connector connections,
      Dialect dialect,
      Function<SQLException, RuntimeException> translate) {
    this.connections = connections;
    this.dialect = dialect;
    this.translate = translate;
    this.writer = Thread.ofPlatform().name(name).daemon().start(this::loop);
  }

  /** Runs {@code work} in the next group transaction; returns once that committed. */
  <T> T write(Store.Work<T> work) {
    if (Thread.currentThread() == writer) {
      throw new IllegalStateException("a write inside a write would wait for itself");
    }
    if (closed) {
      throw closedStore();
    }
    Job<T> job = new Job<>(work, new CompletableFuture<>());
    try {
      while (!jobs.offer(job, 100, TimeUnit.MILLISECONDS)) {
        if (closed) {
          throw closedStore();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for the writer", e);
    }
    // The writer fails every job it leaves when it ends (see loop); one queued after that is taken
    // back here. So the wait below is untimed: on a virtual thread a timed wait schedules a wake-up
    // on the JDK's delay scheduler and cancels it, waking that scheduler's thread, per write.
    if (ended && jobs.remove(job)) {
      throw closedStore();
    }
    // The unit is queued and may commit: wait for its outcome whatever interrupts come meanwhile.
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return job.done().get();
        } catch (ExecutionException e) {
          throw rethrow(e.getCause());
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Runs {@code task} on the writer's thread once its current transaction (if any) has committed,
   * before the next begins; {@code task} gets no transaction (its {@code Tx} argument is null). For
   * work that must not race the writer, such as a checkpoint that needs the write lock. One at a
   * time: while one is pending, a second request is refused.
   */
  CompletableFuture<Void> betweenTransactions(Store.Work<Void> task) {
    Upkeep u = new Upkeep(task, new CompletableFuture<>());
    if (closed) {
      u.done().completeExceptionally(closedStore());
    } else if (!upkeep.compareAndSet(null, u)) {
      u.done().completeExceptionally(new IllegalStateException("upkeep already pending"));
    } else if (!writer.isAlive()) {
      upkeep.compareAndSet(u, null);
      u.done().completeExceptionally(closedStore());
    }
    return u.done();
  }

  private void runUpkeep() {
    Upkeep u = upkeep.getAndSet(null);
    if (u == null) {
      return;
    }
    try {
      u.task().run(null);
      u.done().complete(null);
    } catch (Throwable e) { // the writer must outlive any failure
      u.done().completeExceptionally(e);
    }
  }

  private static StoreException closedStore() {
    return new StoreException("the store is closed", null);
  }

  private RuntimeException rethrow(Throwable cause) {
    return switch (cause) {
      case RuntimeException r -> r;
      case Error e -> throw e;
      case SQLException s -> translate.apply(s);
      default -> new StoreException("database error: " + cause.getMessage(), cause);
    };
  }

  /**
   * Units of work run in transactions that committed so far (a unit rolled back to its savepoint
   * counts too), and those transactions.
   */
  long units() {
    return units.sum();
  }

  long batches() {
    return batches.sum();
  }

  private void loop() {
    List<Job<?>> batch = new ArrayList<>(MAX_BATCH);
    try {
      serve(batch);
    } finally {
      // However the writer ends, no caller may wait forever: its callers wait without a timeout.
      ended = true;
      for (Job<?> job : batch) {
        job.done().completeExceptionally(closedStore());
      }
      failQueued();
      Upkeep left = upkeep.getAndSet(null);
      if (left != null) {
        left.done().completeExceptionally(closedStore());
      }
    }
  }

  /** Fails every job still queued: the store is closed. */
  private void failQueued() {
    for (Job<?> left; (left = jobs.poll()) != null; ) {
      left.done().completeExceptionally(closedStore());
    }
  }

  private void serve(List<Job<?>> batch) {
    while (true) {
      Job<?> first;
      try {
        first = jobs.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        first = null;
      }
      if (first == null) {
        runUpkeep();
        if (closed && jobs.isEmpty()) {
          dropConnection(null);
          return;
        }
        continue;
      }
      batch.add(first);
      jobs.drainTo(batch, MAX_BATCH - 1);
      try {
        run(batch);
      } catch (Throwable e) { // the writer must outlive any failure; no caller may wait forever
        for (Job<?> job : batch) {
          job.done().completeExceptionally(e);
        }
      }
      batch.clear();
      runUpkeep();
    }
  }

  /** The writer's connection with its open statements, opened on first use and after a failure. */
  private Statements connection() throws SQLException {
    if (statements == null) {
      Connection c = connections.open();
      c.setAutoCommit(false);
      statements = new Statements(c);
    }
    return statements;
  }

  /** Closes the writer's connection; a failure to close is added to {@code cause}, if any. */
  private void dropConnection(Throwable cause) {
    if (statements != null) {
      try {
        statements.close();
      } catch (SQLException suppressed) {
        if (cause != null) {
          cause.addSuppressed(suppressed);
        }
      }
      statements = null;
    }
  }

  private void run(List<Job<?>> batch) {
    Object[] results = new Object[batch.size()];
    Throwable[] failures = new Throwable[batch.size()];
    Tx tx = null;
    try {
      Statements st = connection();
      Connection c = st.connection();
      tx = new Tx(st, dialect);
      try {
        boolean alone = batch.size() == 1;
        for (int i = 0; i < batch.size(); i++) {
          if (!alone) {
            tx.update("SAVEPOINT unit");
          }
          try {
            results[i] = batch.get(i).work().run(tx);
            if (!alone) {
              tx.update("RELEASE unit");
            }
          } catch (
              Throwable e) { // even a checked exception thrown sneakily must not end the writer
            failures[i] = e;
            if (alone) {
              c.rollback();
            } else {
              tx.update("ROLLBACK TO unit");
              tx.update("RELEASE unit");
            }
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException | Error e) {
        JdbcStore.rollback(c, e);
        throw e;
      }
    } catch (SQLException | RuntimeException | Error e) {
      // Nothing of this batch committed: every unit fails with the cause, and the next batch
      // starts on a fresh connection.
      dropConnection(e);
      for (Job<?> job : batch) {
        job.done().completeExceptionally(e);
      }
      return;
    } finally {
      if (tx != null) {
        tx.ended();
      }
    }
    batches.increment();
    units.add(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results[i], failures[i]);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Job<T> job, Object result, Throwable failure) {
    if (failure != null) {
      job.done().completeExceptionally(failure);
    } else {
      job.done().complete((T) result);
    }
  }

  /** Stops taking work; the writer finishes what is queued, then ends. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failQueued();
  }
}
