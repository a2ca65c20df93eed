package dev.herald.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scenarios that stress one Herald (started fresh for each, in {@code BENCH_STRESS_MODE},
 * default {@code sqlite-memory}, with Herald's default per-endpoint concurrency):
 *
 * <ul>
 *   <li>{@code ./bench/run.sh isolation}: 1→100 at {@code BENCH_ISOLATION_RATE} msg/s: the p99 of
 *       the fast endpoints with 100 fast endpoints (baseline), then with one of them answering in 2 s
 *       (median of {@code BENCH_RUNS} runs each);
 *   <li>{@code ./bench/run.sh backlog}: {@code BENCH_BACKLOG} deliveries (default 1,000,000) to 100
 *       endpoints whose sink is stopped (nothing listens on their port, so every attempt is refused
 *       and rescheduled): Herald's RSS before and after (one run: it is long; the fill stops
 *       after {@code BENCH_BACKLOG_MAX_SECONDS}, default 240, and the size reached is reported).
 *       "Before" is read after a 1→100 warm-up toward the live sink ({@link
 *       #BACKLOG_WARM_UP_MESSAGES}), once all of it is delivered; the cold RSS, read before that,
 *       is reported too.
 * </ul>
 */
final class StressRuns {
  /** Endpoints of the isolation and backlog apps. */
  static final int ENDPOINTS = 100;

  /** Senders filling the backlog. */
  static final int BACKLOG_SENDERS = 16;

  /**
   * The 1→100 warm-up toward the live sink before the backlog's "before": at most this long and
   * this many messages (100,000 deliveries), then until all of it is delivered.
   */
  static final double BACKLOG_WARM_UP_SECONDS = 20;

  static final long BACKLOG_WARM_UP_MESSAGES = 1_000;

  /** How long Herald works on the backlog before its RSS is read again. */
  static final long SETTLE_MS = 10_000;

  private final Bench.Ctx ctx;
  private final Bench.Settings s;
  private final SinkClient sink;
  private final DeliveryRuns delivery;
  private String slowApp = "";
  private final HeraldNode.Mode mode =
      HeraldNode.Mode.of(Bench.env("BENCH_STRESS_MODE", "sqlite-memory"));

  StressRuns(Bench.Ctx ctx) {
    this.ctx = ctx;
    this.s = ctx.settings();
    this.sink = ctx.sink();
    this.delivery = new DeliveryRuns(ctx);
  }

  Map<String, Object> isolation() {
    try (HeraldNode node = HeraldNode.start(mode, Map.of(), ctx.repo(), ctx.logs(), ctx.load())) {
      System.out.printf("bench: isolation: Herald pid %d (%s)%n", node.process.pid(), mode.label);
      String fast = delivery.app(node, "iso-fast", ENDPOINTS);
      String mixed = delivery.app(node, "iso-mixed", ENDPOINTS - 1);
      slowApp = mixed;
      node.createEndpoint(mixed, sink.url("/slow/0"));
      delivery.warmUp(node, delivery.app(node, "iso-warm-up", 1));
      fastLatency(node, fast, 2);
      List<Map<String, Double>> baseline = new ArrayList<>();
      List<Map<String, Double>> beside = new ArrayList<>();
      for (int i = 0; i < s.runs(); i++) {
        baseline.add(fastLatency(node, fast, s.isolationSeconds()));
      }
      for (int i = 0; i < s.runs(); i++) {
        beside.add(fastLatency(node, mixed, s.isolationSeconds()));
      }
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      out.put("mode", mode.label);
      out.put("baseline", DeliveryRuns.summary(baseline));
      out.put("beside_slow", DeliveryRuns.summary(beside));
      double p99Base = Figures.medianOf(baseline.stream().map(f -> f.get("p99_ms")).toList());
      double p99Slow = Figures.medianOf(beside.stream().map(f -> f.get("p99_ms")).toList());
      out.put("p99_ratio", Figures.round(p99Slow / p99Base));
      return out;
    }
  }

  /** One open-loop 1→100 run; latencies of the deliveries to fast endpoints only. */
  private Map<String, Double> fastLatency(HeraldNode node, String app, double seconds) {
    String slowApp = this.slowApp;
    double rate = s.isolationRate();
    sink.record((long) (rate * seconds * ENDPOINTS * 1.5) + 10_000);
    SinkClient.Stats before = sink.stats();
    Map<String, Double> f = Figures.of();
    try (Child.Peak rss = Child.Peak.rss(node.process)) {
      Load.Sent sent =
          ctx.load()
              .open(rate, seconds, n -> node.message(app, ctx.message()), DeliveryRuns::msgId);
      long fastExpected = (long) sent.scheduledNanos().size() * (ENDPOINTS - 1);
      long allFast = (long) sent.scheduledNanos().size() * (app.equals(slowApp) ? 99 : 100);
      sink.awaitFast(before.fast() + allFast, s.drainSeconds(), 10);
      List<Double> ms = new ArrayList<>();
      long slow = 0;
      for (SinkClient.Arrival a : sink.arrivals()) {
        Long at = sent.scheduledNanos().get(a.id());
        if (at == null) {
          continue;
        }
        if (a.path().startsWith("/slow/")) {
          slow++;
        } else if (!a.path().equals("/e/" + (ENDPOINTS - 1))) {
          ms.add((a.nanos() - at) / 1e6); // endpoints 0..98: the same 99 in both apps
        }
      }
      f.put("rate_msg_per_s", rate);
      f.put("accepted", (double) sent.scheduledNanos().size());
      Figures.percentiles(f, ms.stream().mapToDouble(Double::doubleValue).toArray());
      f.put("fast_undelivered_at_end", (double) Math.max(0, fastExpected - ms.size()));
      f.put("slow_arrivals", (double) slow);
      f.put("peak_rss_mb", Figures.mb(rss.peak()));
    }
    DeliveryRuns.log("isolation " + app, f);
    return f;
  }

  Map<String, Object> backlog() {
    int port = closedPort();
    long messages = Math.max(1, s.backlog() / ENDPOINTS);
    try (HeraldNode node = HeraldNode.start(mode, Map.of(), ctx.repo(), ctx.logs(), ctx.load())) {
      System.out.printf("bench: backlog: Herald pid %d (%s)%n", node.process.pid(), mode.label);
      String app = node.createApp("backlog");
      for (int i = 0; i < ENDPOINTS; i++) {
        node.createEndpoint(app, "http://127.0.0.1:" + port + "/e/" + i);
      }
      long rssCold = node.process.rssBytes();
      // "Before" is a warmed Herald with nothing pending: 1→100 toward the live sink until all
      // is delivered, so that what the JIT and a heap in use take is not counted as the backlog's.
      Map<String, Double> warm =
          delivery.throughput(
              node,
              delivery.app(node, "backlog-warm-up", ENDPOINTS),
              ENDPOINTS,
              BACKLOG_SENDERS,
              BACKLOG_WARM_UP_SECONDS,
              BACKLOG_WARM_UP_MESSAGES);
      sleep(5_000);
      long rssBefore = node.process.rssBytes();
      Map<String, Double> f = Figures.of();
      try (Child.Peak rss = Child.Peak.rss(node.process)) {
        Load.Counts c =
            ctx.load()
                .closed(
                    BACKLOG_SENDERS,
                    s.backlogMaxSeconds(),
                    messages,
                    n -> node.message(app, ctx.message()));
        long afterFill = node.process.rssBytes();
        sleep(SETTLE_MS);
        long rssAfter = node.process.rssBytes();
        long pending = c.ok() * ENDPOINTS;
        f.put("pending_deliveries", (double) pending);
        f.put("fill_seconds", c.seconds());
        f.put("accepted_deliveries_per_s", c.ok() * ENDPOINTS / c.seconds());
        f.put("refused", (double) c.failed());
        f.put("warm_up_deliveries", warm.get("delivered"));
        f.put("warm_up_undelivered", warm.get("undelivered_at_end"));
        f.put("rss_cold_mb", Figures.mb(rssCold));
        f.put("rss_before_mb", Figures.mb(rssBefore));
        f.put("rss_after_fill_mb", Figures.mb(afterFill));
        f.put("rss_after_mb", Figures.mb(rssAfter));
        f.put("rss_added_mb", Figures.mb(rssAfter - rssBefore));
        f.put("peak_rss_mb", Figures.mb(rss.peak()));
        if (!node.mode.postgres) {
          f.put("peak_wal_mb", node.peakWalMb());
        }
        f.put("failed_attempts", node.metric("herald_delivery_attempts_total"));
      }
      DeliveryRuns.log("backlog", f);
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      out.put("mode", mode.label);
      out.put("runs", 1);
      out.put("figures", DeliveryRuns.rounded(f));
      return out;
    }
  }

  /** A loopback port nothing listens on (bound, then released). */
  static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
