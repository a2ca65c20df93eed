package dev.herald.dispatch;

import dev.herald.config.HeraldConfig;
import dev.herald.core.Ids;
import dev.herald.delivery.Attempt;
import dev.herald.delivery.Delivery;
import dev.herald.delivery.DeliveryEvents;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.delivery.FreshDeliveries;
import dev.herald.delivery.Outcome;
import dev.herald.delivery.Recorder;
import dev.herald.delivery.Status;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointService;
import dev.herald.message.Message;
import dev.herald.message.MessageService;
import dev.herald.queue.DeliveryQueue;
import dev.herald.store.Store;
import dev.herald.store.Tx;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery worker of one node.
 *
 * <p><b>Threads.</b> {@link #PULLERS} puller threads take delivery ids from the queue; each id runs
 * on its own virtual thread. A semaphore of {@code worker_concurrency} permits bounds the attempts
 * in flight, so the node's sockets and memory are bounded whatever the backlog: a puller takes the
 * next id only once it holds a permit. An in-process queue that is empty hands an offered id
 * straight to a new attempt when a permit is free ({@link DeliveryQueue#startDirectly}), so a
 * delivery accepted while the node keeps up wakes no puller. One sweeper thread, every {@code
 * sweep_interval_ms}, hands due retries and deliveries whose lease expired (a node died, a queue
 * lost its items) back to the queue, as much as the queue has room for.
 *
 * <p><b>One attempt.</b> Claim the row (a lease under a token of this node; a row already ended,
 * not due, or held by a live worker is skipped, which is what makes a duplicate queue item
 * harmless) — unless this node's fan-out just committed it ({@link FreshDeliveries}: due, untried,
 * leased to the queue, so it is attempted under the queued lease without a claiming write); take
 * the endpoint from the cache and the payload's length (from the just-accepted message if this node
 * still holds it); skip the delivery when the endpoint is gone or disabled or the payload expunged;
 * pass per-endpoint admission ({@link EndpointLimits}: a concurrency cap and {@code throttleRate})
 * and take room in the {@link PayloadBudget}, or defer the row; only then read the payload; sign
 * with the endpoint's current and still-valid old keys and a fresh timestamp; send; record the
 * attempt and the next state in one transaction (on PostgreSQL, a statement shared with the records
 * of concurrent attempts: {@link Recorder}). The row's lease covers every crash between claim and
 * record: the delivery is attempted again (at least once, never lost).
 *
 * <p>The recording transaction also applies the attempt's {@link Consequences}: the endpoint's
 * failure lifecycle and the operational events, whose deliveries go to the queue after commit.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  /** Threads taking ids from the queue. */
  static final int PULLERS = 2;

  /** How long a puller waits on an empty queue before checking whether to stop. */
  static final Duration TAKE_TIMEOUT = Duration.ofMillis(250);

  /** An endpoint that answers this is disabled at once. */
  static final int GONE = 410;

  /** How long an attempt waits for room in the payload budget before it defers its delivery. */
  static final Duration PAYLOAD_WAIT = Duration.ofSeconds(2);

  /** How long {@link #close} waits for attempts in flight. */
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final Store store;
  private final DeliveryLedger ledger;
  private final DeliveryQueue queue;
  private final Sender sender;
  private final EndpointService endpoints;
  private final MessageService messages;
  private final FreshDeliveries freshDeliveries;
  private final Consequences consequences;
  private final RetryPolicy retry;
  private final HeraldConfig.Delivery cfg;
  private final Clock clock;
  private final EndpointLimits limits;
  private final Semaphore inFlight;
  private final PayloadBudget payloads = PayloadBudget.ofHeap();
  private final String node = UUID.randomUUID().toString().substring(0, 8);
  private final AtomicLong tokens = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final DeliveryMeters meters;
  private final Recorder recorder;
  private volatile boolean running;

  public Dispatcher(
      Store store,
      DeliveryLedger ledger,
      DeliveryQueue queue,
      Sender sender,
      EndpointService endpoints,
      MessageService messages,
      FreshDeliveries freshDeliveries,
      DeliveryEvents events,
      RetryPolicy retry,
      HeraldConfig.Delivery cfg,
      Clock clock,
      MeterRegistry registry) {
    this.store = store;
    this.ledger = ledger;
    this.queue = queue;
    this.sender = sender;
    this.endpoints = endpoints;
    this.messages = messages;
    this.freshDeliveries = freshDeliveries;
    this.consequences = new Consequences(endpoints, events, cfg.disableAfter());
    this.retry = retry;
    this.cfg = cfg;
    this.clock = clock;
    this.limits = new EndpointLimits(cfg.endpointConcurrency());
    this.inFlight = new Semaphore(cfg.workerConcurrency());
    this.meters = new DeliveryMeters(registry, this::inFlight);
    this.recorder = new Recorder(store, ledger);
  }

  /** Starts the pullers and the sweeper. */
  public void start() {
    running = true;
    queue.startDirectly(this::startNow);
    for (int i = 0; i < PULLERS; i++) {
      threads.add(Thread.ofPlatform().name("herald-puller-" + i).daemon().start(this::pull));
    }
    threads.add(Thread.ofPlatform().name("herald-sweeper").daemon().start(this::sweep));
  }

  /** Attempt records written through shared statements, and those statements; empty on SQLite. */
  public Optional<dev.herald.store.Store.WriteCounts> recordCounts() {
    return recorder.counts();
  }

  /** Attempts in flight now. */
  public int inFlight() {
    return cfg.workerConcurrency() - inFlight.availablePermits();
  }

  private void pull() {
    while (running) {
      try {
        inFlight.acquire();
        DeliveryQueue.Item item;
        try {
          item = queue.take(TAKE_TIMEOUT);
        } catch (InterruptedException e) {
          inFlight.release();
          throw e;
        } catch (RuntimeException e) {
          inFlight.release();
          LOG.warn("queue take failed", e);
          TimeUnit.MILLISECONDS.sleep(TAKE_TIMEOUT.toMillis());
          continue;
        }
        if (item == null) {
          inFlight.release();
          continue;
        }
        launch(item);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Starts delivery {@code id} at once if a worker slot is free: the queue's direct path, which
   * skips waking a puller. False when no slot is free or the dispatcher has stopped.
   */
  private boolean startNow(String id) {
    if (!running || !inFlight.tryAcquire()) {
      return false;
    }
    launch(new DeliveryQueue.Item(id, id));
    return true;
  }

  /** Attempts {@code item} on a virtual thread that holds one of the {@code inFlight} slots. */
  private void launch(DeliveryQueue.Item item) {
    Thread.ofVirtual()
        .name("herald-delivery")
        .start(
            () -> {
              try {
                attempt(item.deliveryId());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                LOG.error("delivery {} failed inside Herald", item.deliveryId(), e);
              } finally {
                queue.ack(item);
                inFlight.release();
              }
            });
  }

  private void sweep() {
    while (running) {
      try {
        TimeUnit.MILLISECONDS.sleep(cfg.sweepInterval().toMillis());
        sweepOnce();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.warn("sweep failed; retrying next interval", e);
      }
    }
  }

  /** Hands due and orphaned deliveries to the queue; returns how many. */
  int sweepOnce() {
    long room = queue.freeCapacity();
    if (room <= 0) {
      return 0;
    }
    long now = clock.millis();
    List<String> due =
        store.writeOne(
            tx ->
                ledger.takeDue(
                    tx,
                    now,
                    (int) Math.min(room, DeliveryLedger.MAX_SWEEP_BATCH),
                    now + cfg.queueLease().toMillis()));
    ledger.handOff(store, queue, due);
    return due.size();
  }

  /** What the claiming transaction read: the row, its endpoint, its payload's length. */
  private record Claimed(Delivery delivery, Endpoint endpoint, long payloadChars) {}

  /** What an attempt needs once it may send: the message with its payload. */
  private record Prepared(Delivery delivery, Message message, Endpoint endpoint) {}

  /** One attempt of delivery {@code id}, if it is still to be attempted. */
  void attempt(String id) throws InterruptedException {
    long now = clock.millis();
    // A delivery this node's fan-out just committed needs no claim: it is due, untried, and
    // leased to the queue for the whole queue lease (see FreshDeliveries).
    Optional<Delivery> fresh = freshDeliveries.take(id);
    String token =
        fresh.isPresent() ? DeliveryLedger.QUEUED : node + ":" + tokens.incrementAndGet();
    // The payload is not read here: an attempt that must wait (endpoint limits, payload budget)
    // holds only ids, so a backlog of large messages cannot fill the heap.
    // The claim is the only statement on the writer; the endpoint comes from the cache and the
    // payload's length from a reader (with SQLite the writer is the one serial resource).
    Optional<Delivery> claimed =
        fresh.isPresent()
            ? fresh
            : store.writeOne(
                tx -> ledger.claim(tx, id, token, now, now + cfg.attemptLease().toMillis()));
    if (claimed.isEmpty()) {
      return;
    }
    Delivery d = claimed.get();
    Optional<Endpoint> endpoint = endpoints.cached(d.appId(), d.endpointId());
    // Only the length: an attempt that waits below must not keep a payload alive.
    Optional<Long> payload =
        messages
            .fresh(d.msgId())
            .map(m -> (long) m.payload().length())
            .or(() -> store.read(tx -> messages.payloadLength(tx, d.msgId())));
    Outcome skip =
        endpoint.isEmpty()
            ? Outcome.ENDPOINT_DELETED
            : endpoint.get().disabled()
                ? Outcome.ENDPOINT_DISABLED
                : payload.isEmpty() ? Outcome.MESSAGE_EXPUNGED : null;
    if (skip != null) {
      store.writeOne(tx -> skip(tx, id, token, skip, clock.millis()));
      return;
    }
    Claimed c = new Claimed(d, endpoint.get(), payload.get());
    EndpointLimits.Admission admission = limits.admit(c.endpoint().id(), c.endpoint().rateLimit());
    if (admission instanceof EndpointLimits.Admission.Defer defer) {
      defer(id, token, defer.delay());
      return;
    }
    Runnable endpointSlot = ((EndpointLimits.Admission.Granted) admission).release();
    Runnable room;
    try {
      room = payloads.acquire(c.payloadChars(), PAYLOAD_WAIT);
    } catch (InterruptedException e) {
      endpointSlot.run();
      throw e;
    }
    if (room == null) {
      endpointSlot.run();
      defer(id, token, PAYLOAD_WAIT);
      return;
    }
    try {
      Prepared p;
      Result result;
      long started;
      try {
        Optional<Message> message =
            messages
                .fresh(c.delivery().msgId())
                .or(() -> store.read(tx -> messages.byId(tx, c.delivery().msgId())));
        if (message.isEmpty() || message.get().payload() == null) {
          store.writeOne(tx -> skip(tx, id, token, Outcome.MESSAGE_EXPUNGED, clock.millis()));
          return;
        }
        p = new Prepared(c.delivery(), message.get(), c.endpoint());
        started = clock.millis();
        result = send(p);
      } finally {
        endpointSlot.run();
      }
      record(p, token, result, started);
    } finally {
      room.run();
    }
  }

  /** Ends delivery {@code id} without an attempt; returns null. */
  private Void skip(Tx tx, String id, String token, Outcome outcome, long now)
      throws java.sql.SQLException {
    ledger.skip(tx, id, token, outcome, now);
    meters.skipped(outcome);
    return null;
  }

  /** Hands delivery {@code id} back, due again after {@code delay}. */
  private void defer(String id, String token, Duration delay) {
    long at = clock.millis() + delay.toMillis();
    store.writeOne(
        tx -> {
          ledger.defer(tx, id, token, at, clock.millis());
          return null;
        });
  }

  private Result send(Prepared p) {
    long timestamp = clock.instant().getEpochSecond();
    byte[] body = p.message().payload().getBytes(StandardCharsets.UTF_8);
    String signature =
        Signer.signatureHeader(
            p.endpoint().signingKeys(clock.instant()), p.message().id(), timestamp, body);
    Map<String, String> headers = new LinkedHashMap<>(p.endpoint().headers());
    String ts = Long.toString(timestamp);
    if (cfg.signatureHeaders() != HeraldConfig.SignatureHeaders.WEBHOOK) {
      headers.put("svix-id", p.message().id());
      headers.put("svix-timestamp", ts);
      headers.put("svix-signature", signature);
    }
    if (cfg.signatureHeaders() != HeraldConfig.SignatureHeaders.SVIX) {
      headers.put("webhook-id", p.message().id());
      headers.put("webhook-timestamp", ts);
      headers.put("webhook-signature", signature);
    }
    return sender.send(p.endpoint().url(), headers, body);
  }

  private void record(Prepared p, String token, Result result, long started) {
    Delivery d = p.delivery();
    long now = clock.millis();
    int failures = d.attempts() + 1;
    Long next = null;
    if (!result.success() && d.triggerType() == Delivery.SCHEDULED) {
      Duration retryAfter = result instanceof Result.Responded r ? r.retryAfter() : null;
      Duration delay = retry.delayAfter(failures, result.throttled(), retryAfter);
      next = delay == null ? null : now + delay.toMillis();
    }
    Attempt attempt =
        new Attempt(
            Ids.next(Ids.Prefix.ATTEMPT, clock.instant()),
            d.appId(),
            d.msgId(),
            d.endpointId(),
            d.id(),
            p.endpoint().url(),
            result.success() ? Status.SUCCESS : Status.FAIL,
            result instanceof Result.Responded r ? r.status() : 0,
            switch (result) {
              case Result.Responded r -> r.body();
              case Result.Failed f -> f.reason();
            },
            now - started,
            d.triggerType(),
            now);
    Long nextAt = next;
    boolean gone = result instanceof Result.Responded r && r.status() == GONE;
    Consequences.Done[] done = {Consequences.NOTHING};
    DeliveryLedger.Recorded recorded = new DeliveryLedger.Recorded(token, attempt, nextAt, now);
    // Most attempts change nothing beyond their own rows.
    boolean held =
        consequences.none(d, attempt, nextAt, gone)
            ? recorder.record(recorded)
            : store.write(
                tx -> {
                  boolean h = ledger.record(tx, recorded);
                  done[0] = consequences.apply(tx, d, attempt, nextAt, gone, h, now);
                  return h;
                });
    ledger.handOff(store, queue, done[0].deliveries());
    if (done[0].disabled()) {
      LOG.info(
          "endpoint {} disabled: {}",
          d.endpointId(),
          gone ? "it answered 410 Gone" : "its deliveries kept failing");
    }
    if (!held) {
      LOG.warn("delivery {} lost its lease during an attempt; its attempt is logged", d.id());
    }
    meters.attempted(d, result.success(), next == null, p.message().createdAt(), started, now);
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(DRAIN_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    try {
      // Wait for attempts in flight to record their outcome; leases cover any that do not.
      if (inFlight.tryAcquire(
          cfg.workerConcurrency(), DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        inFlight.release(cfg.workerConcurrency());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
