package dev.herald.queue;

import dev.herald.core.Combiner;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * A delivery queue shared by every Herald node: one Redis stream, {@code {prefix}deliveries}, read
 * through one consumer group, {@code workers}. Each entry holds one field, {@code d}, the delivery
 * id; its stream entry id is the item's receipt.
 *
 * <h2>Who reads and writes</h2>
 *
 * Any node's API threads {@link #offer} (XADD, through a script that first checks XLEN against
 * {@code capacity}, so the bound holds across nodes; {@link #offerAll} adds a message's whole
 * fan-out in one script, and the fan-outs of concurrent requests share one). Any node's workers
 * {@link #take}: XREADGROUP hands each new entry to exactly one consumer and records it in the
 * group's pending list under that consumer's name (one name per process). One read takes up to
 * {@link #READ_AHEAD} entries; those not taken at once wait in a local buffer for the next takes.
 * {@link #ack} hands the receipt to an acking thread, which removes whatever receipts have queued
 * up from both the pending list and the stream in one script (XACK, XDEL), so the stream holds only
 * waiting, in-flight and just-done entries.
 *
 * <h2>Dead consumers</h2>
 *
 * An entry whose consumer died before acking stays pending. Every {@code claimIdle / 2}, one taker
 * per process runs XAUTOCLAIM for at most {@link #CLAIM_BATCH} entries idle longer than {@code
 * claimIdle}, from any consumer (its own included, for an item a worker dropped). The claimed ids
 * wait in a small local buffer, served before new entries. A slow worker can thus see its item
 * handed to another node too; the database lease makes the second arrival a no-op.
 *
 * <h2>Bounds</h2>
 *
 * Redis memory: {@code capacity} entries (waiting plus in flight; XLEN counts both, so {@link
 * #depth} does too). Local memory: {@link #READ_AHEAD} read-ahead items per take in progress and
 * {@link #ACK_QUEUE} receipts. Connections: two pools, so that takers parked in a blocking
 * XREADGROUP never starve offers and acks: {@link #COMMAND_CONNECTIONS} for short commands and
 * {@link #BLOCKING_CONNECTIONS} for blocking reads (run at most that many concurrent takers per
 * process). Each blocking read lasts at most {@link #MAX_BLOCK}; the socket gives up shortly after,
 * so a dead peer cannot hold a taker forever.
 *
 * <h2>Redis down, flushed or restarted</h2>
 *
 * The database is the truth, so no failure here is thrown at callers: {@link #offer} returns false,
 * {@link #take} waits out its timeout in short pauses and returns null, {@link #ack} gives up (the
 * entry is claimed again later, a duplicate the lease absorbs), each logging at most one WARN per
 * {@link RedisOutage#WARN_EVERY}. After a connection failure the queue reports itself unavailable
 * for {@link RedisOutage#DOWN_FOR} instead of reconnecting on every call. A flush or a restart
 * without persistence drops the stream and the group: the next command that meets NOGROUP recreates
 * both and retries once. The group is created from id 0, not {@code $}, so ids offered between the
 * flush and the recreation (XADD recreates the stream without the group) are still read. Whatever
 * ids were lost, the sweeper finds again from the rows' leases.
 *
 * <p>A consumer name stays in the group until {@link #close} removes it (when it holds nothing
 * pending); a killed process leaves one empty consumer record behind, a few bytes per crash.
 */
public final class RedisStreamDeliveryQueue implements DeliveryQueue {
  private static final Logger LOG = LoggerFactory.getLogger(RedisStreamDeliveryQueue.class);

  /** The one consumer group every node reads through. */
  static final String GROUP = "workers";

  /** The entry field holding the delivery id. */
  static final String FIELD = "d";

  /** Connections for offer, ack, claim and length commands. */
  static final int COMMAND_CONNECTIONS = 16;

  /** Connections for blocking XREADGROUP: the most takers one process should run at once. */
  static final int BLOCKING_CONNECTIONS = 16;

  /** Longest single XREADGROUP BLOCK; a longer take repeats the read until its deadline. */
  static final Duration MAX_BLOCK = Duration.ofSeconds(2);

  /** Connect and read timeout of a non-blocking command. */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

  /** How long to wait for a pooled connection before giving up on the call. */
  static final Duration POOL_WAIT = Duration.ofSeconds(1);

  /** Most entries one XAUTOCLAIM takes over, and so the size of the local reclaimed buffer. */
  static final int CLAIM_BATCH = 16;

  /** Longest pause of a take that met an error (never past its timeout). */
  static final Duration ERROR_PAUSE = Duration.ofMillis(200);

  /** XADD unless the stream already holds ARGV[1] entries; nil when full. */
  private static final String OFFER_SCRIPT =
      """
      if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
      return redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3])
      """;

  /**
   * XADD of ARGV[3..] in order while the stream holds fewer than ARGV[1] entries; returns how many
   * it added.
   */
  private static final String OFFER_ALL_SCRIPT =
      """
      local room = tonumber(ARGV[1]) - redis.call('XLEN', KEYS[1])
      local added = 0
      for i = 3, #ARGV do
        if added >= room then break end
        redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[i])
        added = added + 1
      end
      return added
      """;

  /**
   * The offers of several callers in one round trip: ARGV[3] segments, whose lengths are ARGV[4] to
   * ARGV[3 + segments], then every id. Adds ids in order while the stream holds fewer than ARGV[1]
   * entries; returns how many of each segment it added.
   */
  private static final String OFFER_SEGMENTS_SCRIPT =
      """
      local room = tonumber(ARGV[1]) - redis.call('XLEN', KEYS[1])
      local segments = tonumber(ARGV[3])
      local next = 4 + segments
      local added = {}
      for s = 1, segments do
        local n = tonumber(ARGV[3 + s])
        local a = 0
        for i = next, next + n - 1 do
          if room <= 0 then break end
          redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[i])
          room = room - 1
          a = a + 1
        end
        added[s] = a
        next = next + n
      end
      return added
      """;

  /** XACK then XDEL of the entries ARGV[2..], in one round trip. */
  private static final String ACK_SCRIPT =
      """
      redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
      return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
      """;

  /** Most ids one offer script adds, and most receipts one ack script removes. */
  static final int SCRIPT_BATCH = 256;

  /** Entries one XREADGROUP reads at most; those not taken at once wait in a local buffer. */
  static final int READ_AHEAD = 16;

  /** Receipts waiting for the acking thread at most; an ack beyond that is sent by its caller. */
  static final int ACK_QUEUE = 4096;

  /** Concurrent offers sent at once at most; offers made meanwhile share the next script. */
  static final int OFFER_WRITERS = 2;

  /** Callers' offers in one script at most (each of at most {@link #SCRIPT_BATCH} ids). */
  static final int OFFER_BATCH = 32;

  private static final StreamEntryID START = new StreamEntryID(0, 0);

  private final String stream;
  private final String consumer;
  private final long capacity;
  private final long claimIdleMillis;
  private final long claimEveryNanos;
  private final String where;
  private final RedisClient commands;
  private final RedisClient blocking;
  private final RedisOutage outage;

  private final AtomicBoolean closed = new AtomicBoolean();

  /** Guards the three fields below; held by one taker at a time, only with tryLock. */
  private final ReentrantLock claimLock = new ReentrantLock();

  private final ArrayDeque<Item> reclaimed = new ArrayDeque<>(CLAIM_BATCH);
  private StreamEntryID claimCursor = START;
  private long nextClaimAt = System.nanoTime();

  /** An entry read ahead, and when (System.nanoTime). */
  private record ReadAhead(Item item, long readAt) {}

  /** Entries read by XREADGROUP beyond the one taken; served before the next read. */
  private final ConcurrentLinkedQueue<ReadAhead> readAhead = new ConcurrentLinkedQueue<>();

  /** Receipts of done items, for the acking thread to remove in batches. */
  private final BlockingQueue<String> acks = new ArrayBlockingQueue<>(ACK_QUEUE);

  private final Thread acker;

  /** Offers of concurrent callers (each a message's fan-out), combined into one script. */
  private final Combiner<List<String>, Integer> offers =
      new Combiner<>(
          OFFER_WRITERS, OFFER_BATCH, this::offerSegments, this::offerChunks, e -> false);

  /**
   * @param dsn {@code redis://[user:password@]host:port[/db]}, or {@code rediss://} for TLS
   * @param prefix key prefix, so that several clusters and tests can share one Redis
   * @param consumer this process's consumer name, unique among live processes ({@link
   *     #newConsumerName})
   * @param capacity most entries the stream may hold
   * @param claimIdle how long an entry stays pending before another consumer may claim it
   */
  public RedisStreamDeliveryQueue(
      String dsn, String prefix, String consumer, long capacity, Duration claimIdle) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    if (claimIdle.toMillis() < 1) {
      throw new IllegalArgumentException("claimIdle must be at least 1 ms, was " + claimIdle);
    }
    URI uri = URI.create(dsn);
    if (!JedisURIHelper.isValid(uri)) {
      throw new IllegalArgumentException("not a redis:// or rediss:// URI with host and port");
    }
    this.stream = prefix + "deliveries";
    this.consumer = consumer;
    this.capacity = capacity;
    this.claimIdleMillis = claimIdle.toMillis();
    this.claimEveryNanos = claimIdle.toNanos() / 2;
    this.where = JedisURIHelper.getHostAndPort(uri) + "/" + stream;
    this.commands = client(uri, COMMAND_CONNECTIONS, COMMAND_TIMEOUT);
    this.blocking = client(uri, BLOCKING_CONNECTIONS, MAX_BLOCK.plus(COMMAND_TIMEOUT));
    this.outage = new RedisOutage(where);
    try {
      createGroup();
    } catch (JedisException e) {
      outage.failed("create the consumer group", e);
    }
    this.acker = Thread.ofPlatform().name("herald-redis-acks").daemon().start(this::ackLoop);
  }

  /** A consumer name unique to this process: {@code herald-<pid>-<random>}. */
  public static String newConsumerName() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    return "herald-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
  }

  private static RedisClient client(URI uri, int connections, Duration blockingTimeout) {
    var config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis((int) COMMAND_TIMEOUT.toMillis())
            .socketTimeoutMillis((int) COMMAND_TIMEOUT.toMillis())
            .blockingSocketTimeoutMillis((int) blockingTimeout.toMillis())
            .build();
    var pool = new ConnectionPoolConfig();
    pool.setMaxTotal(connections);
    pool.setMaxIdle(connections);
    pool.setMaxWait(POOL_WAIT);
    return RedisClient.builder().clientConfig(config).fromURI(uri).poolConfig(pool).build();
  }

  @Override
  public boolean offer(String deliveryId) {
    if (outage.down()) {
      return false;
    }
    try {
      Object added =
          call(
              commands,
              r ->
                  r.eval(
                      OFFER_SCRIPT,
                      List.of(stream),
                      List.of(Long.toString(capacity), FIELD, deliveryId)));
      return added != null;
    } catch (JedisException e) {
      outage.failed("offer", e);
      return false;
    }
  }

  /**
   * Adds {@code deliveryIds} in order until the stream is full; offers that other threads make
   * meanwhile share one script (one round trip for several messages).
   */
  @Override
  public int offerAll(List<String> deliveryIds) {
    if (deliveryIds.isEmpty() || outage.down()) {
      return 0;
    }
    if (deliveryIds.size() > SCRIPT_BATCH) {
      return offerChunks(deliveryIds);
    }
    try {
      return offers.submit(deliveryIds);
    } catch (JedisException e) {
      // A failed script is not retried: it may have run (a timeout), and a retry would add the
      // ids twice. The refused ids are found again by the sweeper.
      outage.failed("offer", e);
      return 0;
    }
  }

  /** Several callers' ids in one script; all or nothing (a failure throws). */
  private List<Integer> offerSegments(List<List<String>> segments) {
    List<String> args = new ArrayList<>();
    args.add(Long.toString(capacity));
    args.add(FIELD);
    args.add(Integer.toString(segments.size()));
    for (List<String> ids : segments) {
      args.add(Integer.toString(ids.size()));
    }
    for (List<String> ids : segments) {
      args.addAll(ids);
    }
    Object added = call(commands, r -> r.eval(OFFER_SEGMENTS_SCRIPT, List.of(stream), args));
    List<Integer> out = new ArrayList<>(segments.size());
    for (Object n : (List<?>) added) {
      out.add(((Long) n).intValue());
    }
    return out;
  }

  /** One caller's ids, {@link #SCRIPT_BATCH} per script; a failure refuses the rest. */
  private int offerChunks(List<String> deliveryIds) {
    int taken = 0;
    while (taken < deliveryIds.size() && !outage.down()) {
      List<String> chunk =
          deliveryIds.subList(taken, Math.min(deliveryIds.size(), taken + SCRIPT_BATCH));
      List<String> args = new ArrayList<>(chunk.size() + 2);
      args.add(Long.toString(capacity));
      args.add(FIELD);
      args.addAll(chunk);
      long added;
      try {
        added = (Long) call(commands, r -> r.eval(OFFER_ALL_SCRIPT, List.of(stream), args));
      } catch (JedisException e) {
        outage.failed("offer", e);
        break;
      }
      taken += (int) added;
      if (added < chunk.size()) {
        break;
      }
    }
    return taken;
  }

  @Override
  public Item take(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    do {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while reading " + where);
      }
      if (outage.down()) {
        pause(Math.min(outage.remainingNanos(), ERROR_PAUSE.toNanos()), deadline);
        continue;
      }
      try {
        Item item = reclaim();
        if (item == null) {
          item = fromReadAhead();
        }
        if (item == null) {
          item = read(deadline);
        }
        if (item != null) {
          return item;
        }
      } catch (JedisException e) {
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while reading " + where);
        }
        outage.failed("take", e);
        pause(ERROR_PAUSE.toNanos(), deadline);
        return null;
      }
    } while (deadline - System.nanoTime() > 0);
    return null;
  }

  /**
   * The oldest entry read ahead, or null. One that waited there half of claimIdle is dropped
   * instead: it is about to be claimed (by any node, this one included), and serving this copy too
   * would attempt it twice.
   */
  private Item fromReadAhead() {
    long now = System.nanoTime();
    for (ReadAhead r = readAhead.poll(); r != null; r = readAhead.poll()) {
      if (now - r.readAt() < claimEveryNanos) {
        return r.item();
      }
    }
    return null;
  }

  /** One of the entries idle past claimIdle, claimed from whichever consumer held it; or null. */
  private Item reclaim() {
    if (!claimLock.tryLock()) {
      return null;
    }
    try {
      Item next = reclaimed.poll();
      long now = System.nanoTime();
      if (next != null || now - nextClaimAt < 0) {
        return next;
      }
      var params = XAutoClaimParams.xAutoClaimParams().count(CLAIM_BATCH);
      StreamEntryID cursor = claimCursor;
      var page =
          call(
              commands,
              r -> r.xautoclaim(stream, GROUP, consumer, claimIdleMillis, cursor, params));
      claimCursor = page.getKey() == null ? START : page.getKey();
      // A full scan waits for the next period; a partial one continues on the next take.
      nextClaimAt = START.equals(claimCursor) ? now + claimEveryNanos : now;
      for (StreamEntry entry : page.getValue()) {
        Item item = item(entry);
        if (item != null) {
          reclaimed.add(item);
        }
      }
      return reclaimed.poll();
    } finally {
      claimLock.unlock();
    }
  }

  /**
   * A new entry from XREADGROUP, blocking at most until {@code deadline} and MAX_BLOCK. The read
   * takes up to {@link #READ_AHEAD} entries while the local buffer has room; the others wait there
   * (pending under this consumer, so claimable by another node should this one die).
   */
  private Item read(long deadline) {
    long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    int count = readAhead.size() < READ_AHEAD ? READ_AHEAD : 1;
    var params = XReadGroupParams.xReadGroupParams().count(count);
    if (leftMillis >= 1) {
      params.block((int) Math.min(leftMillis, MAX_BLOCK.toMillis()));
    }
    Map<String, StreamEntryID> from = Map.of(stream, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY);
    var read = call(blocking, r -> r.xreadGroupAsMap(GROUP, consumer, params, from));
    if (read == null) {
      return null;
    }
    Item first = null;
    long now = System.nanoTime();
    for (StreamEntry entry : read.getOrDefault(stream, List.of())) {
      Item item = item(entry);
      if (item == null) {
        continue;
      }
      if (first == null) {
        first = item;
      } else {
        readAhead.add(new ReadAhead(item, now));
      }
    }
    return first;
  }

  /** The item an entry carries; an entry without a delivery id is acked away and yields null. */
  private Item item(StreamEntry entry) {
    String id = entry.getFields() == null ? null : entry.getFields().get(FIELD);
    Item item = new Item(id, entry.getID().toString());
    if (id == null) {
      ack(item);
      return null;
    }
    return item;
  }

  /**
   * Hands {@code item}'s receipt to the acking thread, which removes done entries in batches (XACK
   * and XDEL of many ids in one script); the caller does not wait. When that thread is behind by
   * {@link #ACK_QUEUE} receipts, or gone, the caller sends its own.
   */
  @Override
  public void ack(Item item) {
    if (!closed.get() && acker.isAlive() && acks.offer(item.receipt())) {
      return;
    }
    ackNow(List.of(item.receipt()));
  }

  /** Removes the entries of {@code receipts} from the pending list and the stream. */
  private void ackNow(List<String> receipts) {
    if (outage.down()) {
      return;
    }
    List<String> args = new ArrayList<>(receipts.size() + 1);
    args.add(GROUP);
    args.addAll(receipts);
    try {
      call(commands, r -> r.eval(ACK_SCRIPT, List.of(stream), args));
    } catch (JedisException e) {
      outage.failed("ack", e);
    }
  }

  /** The acking thread: whatever receipts queued up, in batches, until closed and drained. */
  private void ackLoop() {
    List<String> batch = new ArrayList<>(SCRIPT_BATCH);
    while (!closed.get() || !acks.isEmpty()) {
      try {
        String first = acks.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        acks.drainTo(batch, SCRIPT_BATCH - 1);
        ackNow(batch);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("acking {} entries failed; they will be claimed again", batch.size(), e);
      } finally {
        batch.clear();
      }
    }
  }

  @Override
  public long depth() {
    return length().orElse(0);
  }

  @Override
  public long freeCapacity() {
    return Math.max(0, capacity - length().orElse(capacity));
  }

  private OptionalLong length() {
    if (outage.down()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(commands.xlen(stream));
    } catch (JedisException e) {
      outage.failed("read the length", e);
      return OptionalLong.empty();
    }
  }

  /**
   * Releases both pools; a second call does nothing. When this consumer holds no pending entry, it
   * also leaves the group, so that restarts do not pile up consumer names.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      // The acking thread sends what is queued, then stops.
      acker.join(COMMAND_TIMEOUT.toMillis() * 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (!outage.down() && pendingOfThisConsumer() == 0) {
        commands.xgroupDelConsumer(stream, GROUP, consumer);
      }
    } catch (JedisException e) {
      LOG.debug("Could not remove consumer {} from {}", consumer, where, e);
    } finally {
      blocking.close();
      commands.close();
    }
  }

  private long pendingOfThisConsumer() {
    Map<String, Long> counts = commands.xpending(stream, GROUP).getConsumerMessageCount();
    return counts == null ? 0 : counts.getOrDefault(consumer, 0L);
  }

  /**
   * Runs {@code op}, retrying once after NOGROUP (recreating the stream and group first) and once
   * after a connection failure (a pooled connection may have died with a Redis restart).
   */
  private <T> T call(UnifiedJedis client, Function<UnifiedJedis, T> op) {
    boolean regrouped = false;
    boolean reconnected = false;
    while (true) {
      try {
        return op.apply(client);
      } catch (JedisConnectionException e) {
        if (reconnected || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        reconnected = true;
      } catch (JedisDataException e) {
        if (regrouped || !streamGone(e)) {
          throw e;
        }
        regrouped = true;
        LOG.info("Stream or group missing on {}: recreating it", where);
        createGroup();
      }
    }
  }

  /** NOGROUP, or a blocked read ended because its stream was deleted. */
  private static boolean streamGone(JedisDataException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    return message.startsWith("NOGROUP") || message.startsWith("UNBLOCKED");
  }

  private void createGroup() {
    try {
      commands.xgroupCreate(stream, GROUP, START, true);
    } catch (JedisDataException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
        throw e;
      }
    }
  }

  /** Sleeps {@code nanos}, but never past {@code deadline}. */
  private static void pause(long nanos, long deadline) throws InterruptedException {
    long sleep = Math.min(nanos, deadline - System.nanoTime());
    if (sleep > 0) {
      TimeUnit.NANOSECONDS.sleep(sleep);
    }
  }
}
