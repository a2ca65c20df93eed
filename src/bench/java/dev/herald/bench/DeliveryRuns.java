package dev.herald.bench;

import dev.herald.dispatch.Signer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;

/**
 * The delivery scenarios of one Herald mode, each a median over {@code BENCH_RUNS} runs:
 *
 * <ul>
 *   <li>{@code ./bench/run.sh ceiling}: the same client machinery POSTing the same signed 1 KB
 *       payloads straight to the sink, no Herald; with {@code throughput} a ceiling run precedes
 *       every Herald run, and the ratio is taken within each pair;
 *   <li>{@code ./bench/run.sh throughput}: 1→1, {@code BENCH_CONCURRENCY} senders for {@code
 *       BENCH_SECONDS}: accepted msg/s, deliveries/s until the last delivery arrived, peak RSS, CPU
 *       seconds per 1,000 deliveries;
 *   <li>{@code ./bench/run.sh latency}: 1→1 at {@code BENCH_LATENCY_RATE} msg/s (open loop):
 *       scheduled send of {@code POST /msg} → arrival at the sink, p50/p90/p99/p99.9;
 *   <li>{@code ./bench/run.sh fanout}: as throughput with 10 and with 100 endpoints per message
 *       ({@code BENCH_FANOUT_CONCURRENCY} senders);
 *   <li>{@code ./bench/run.sh rate5k}: 1→10 at 500 msg/s, i.e. 5,000 deliveries/s: peak RSS and
 *       latency at that rate.
 * </ul>
 */
final class DeliveryRuns {
  /** Messages sent to a fresh Herald before it is measured... */
  static final long WARM_UP_MESSAGES = 100_000;

  /** ...unless this many seconds passed first. */
  static final double WARM_UP_SECONDS = 40;

  /** Largest number of deliveries one closed-loop run may cause. */
  static final long MAX_DELIVERIES_PER_RUN = 400_000;

  private static final Pattern MSG_ID = Pattern.compile("\"id\"\\s*:\\s*\"(msg_[^\"]+)\"");

  private final Bench.Ctx ctx;
  private final Bench.Settings s;
  private final SinkClient sink;
  private final Load load;
  private final String secret;
  private final List<Map<String, Double>> ceilings = new ArrayList<>();
  private int dumps;

  DeliveryRuns(Bench.Ctx ctx) {
    this.ctx = ctx;
    this.s = ctx.settings();
    this.sink = ctx.sink();
    this.load = ctx.load();
    byte[] key = new byte[24];
    new SecureRandom().nextBytes(key);
    this.secret = Signer.SYMMETRIC_PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** The ceiling alone: a warm-up, then {@code runs} runs. */
  Map<String, Object> ceilingOnly() {
    load.closed(s.concurrency(), 3, Long.MAX_VALUE, this::signed);
    for (int i = 0; i < s.runs(); i++) {
      ceilings.add(ceiling());
    }
    return ceilingRuns();
  }

  Map<String, Object> ceilingRuns() {
    return summary(ceilings);
  }

  /** One ceiling run. */
  Map<String, Double> ceiling() {
    SinkClient.Stats before = sink.stats();
    double sinkCpu = sink.process().cpuSeconds();
    Load.Counts c = load.closed(s.concurrency(), s.seconds(), Long.MAX_VALUE, this::signed);
    SinkClient.Stats after = sink.stats();
    long delivered = after.count() - before.count();
    Map<String, Double> f = Figures.of();
    f.put("deliveries_per_s", c.ok() / c.seconds());
    f.put("delivered", (double) delivered);
    f.put("failed", (double) c.failed());
    f.put("sink_cpu_s_per_1000", (sink.process().cpuSeconds() - sinkCpu) / delivered * 1000);
    log("ceiling", f);
    return f;
  }

  private Request signed(long n) {
    String id = "msg_ceiling" + n;
    long ts = System.currentTimeMillis() / 1000;
    String signature = Signer.signatureHeader(List.of(secret), id, ts, ctx.payload());
    return load.client
        .newRequest(sink.url("/ceiling"))
        .method(HttpMethod.POST)
        .headers(
            h -> {
              h.put("svix-id", id);
              h.put("svix-timestamp", Long.toString(ts));
              h.put("svix-signature", signature);
            })
        .body(new BytesRequestContent("application/json", ctx.payload()));
  }

  /** Every chosen delivery scenario against one Herald in {@code mode}. */
  Map<String, Object> mode(HeraldNode.Mode mode, Set<String> chosen) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, String> settings =
        Map.of("HERALD_ENDPOINT_CONCURRENCY", Integer.toString(s.endpointConcurrency()));
    try (HeraldNode node =
        HeraldNode.start(mode, settings, ctx.repo(), ctx.logs(), load)) {
      System.out.printf("bench: %s: Herald pid %d%n", mode.label, node.process.pid());
      String one = app(node, "bench-1to1", 1);
      warmUp(node, one);
      if (chosen.contains("throughput")) {
        List<Map<String, Double>> runs = new ArrayList<>();
        for (int i = 0; i < s.runs(); i++) {
          Map<String, Double> c = ceiling();
          ceilings.add(c);
          leadIn(node, one);
          Map<String, Double> t = throughput(node, one, 1, s.concurrency(), s.seconds());
          t.put("ceiling_deliveries_per_s", c.get("deliveries_per_s"));
          t.put("ratio_to_ceiling", t.get("deliveries_per_s") / c.get("deliveries_per_s"));
          runs.add(t);
        }
        out.put("throughput", summary(runs));
      }
      if (chosen.contains("latency")) {
        latency(node, one, s.latencyRate(), 2, 1);
        out.put("latency", repeat(() -> latency(node, one, s.latencyRate(), s.latencySeconds(), 1)));
      }
      String ten = chosen.contains("fanout") || chosen.contains("rate5k") ? app(node, "bench-1to10", 10) : null;
      if (chosen.contains("fanout")) {
        out.put("fanout_10", repeat(() -> throughput(node, ten, 10, s.fanoutConcurrency(), s.seconds())));
        String hundred = app(node, "bench-1to100", 100);
        out.put(
            "fanout_100",
            repeat(() -> throughput(node, hundred, 100, s.fanoutConcurrency(), s.seconds())));
      }
      if (chosen.contains("rate5k")) {
        out.put("rate5k", repeat(() -> latency(node, ten, 500, s.latencySeconds(), 10)));
      }
      out.put("peak_rss_mb_lifetime", Figures.round(Figures.mb(node.process.peakRssBytes())));
      out.put("cpu_seconds_lifetime", Figures.round(node.process.cpuSeconds()));
      if (!node.mode.postgres) {
        out.put("peak_wal_mb_lifetime", Figures.round(node.peakWalMb()));
      }
    }
    return out;
  }

  /**
   * Warms Herald's JIT before anything is measured: 1→1 load until {@link #WARM_UP_MESSAGES} were
   * accepted or {@link #WARM_UP_SECONDS} passed (not reported).
   */
  void warmUp(HeraldNode node, String app) {
    long deadline = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
    long accepted = 0;
    while (accepted < WARM_UP_MESSAGES && System.nanoTime() < deadline) {
      accepted += throughput(node, app, 1, s.concurrency(), 5).get("accepted").longValue();
    }
    System.out.printf("bench: %s warmed up with %d messages%n", node.mode.label, accepted);
  }

  /**
   * Unmeasured load just before a measured 1→1 run: Herald sat idle through the ceiling run, and
   * in its first second back under load JFR saw compiled code deoptimized and then recompiled, JIT
   * work that is not what a sustained rate costs. {@code BENCH_LEAD_IN_SECONDS}; 0 skips it.
   */
  private void leadIn(HeraldNode node, String app) {
    if (s.leadInSeconds() > 0) {
      System.out.printf("bench: %s lead-in, not measured:%n", node.mode.label);
      throughput(node, app, 1, s.concurrency(), s.leadInSeconds());
    }
  }

  /** A new application of {@code node} with {@code endpoints} endpoints on the sink. */
  String app(HeraldNode node, String name, int endpoints) {
    String app = node.createApp(name);
    for (int i = 0; i < endpoints; i++) {
      node.createEndpoint(app, sink.url("/e/" + i));
    }
    return app;
  }

  /** The SQLite writer's group-commit counters (absent, so 0, with PostgreSQL). */
  static final String WRITE_UNITS = "herald_store_write_units_total";

  static final String WRITE_COMMITS = "herald_store_write_transactions_total";

  /** PostgreSQL's shared statements, by kind (absent, so 0, with SQLite). */
  static final String BATCHED_ITEMS = "herald_store_batched_items_total";

  static final String BATCHED_STATEMENTS = "herald_store_batched_statements_total";

  static final List<String> BATCH_KINDS = List.of("accept", "record");

  /** One closed-loop run through Herald: {@code senders} for {@code seconds}, then the drain. */
  Map<String, Double> throughput(HeraldNode node, String app, int fanout, int senders, double seconds) {
    return throughput(node, app, fanout, senders, seconds, MAX_DELIVERIES_PER_RUN / fanout);
  }

  /** {@link #throughput}, sending at most {@code maxMessages}. */
  Map<String, Double> throughput(
      HeraldNode node, String app, int fanout, int senders, double seconds, long maxMessages) {
    SinkClient.Stats before = sink.stats();
    double cpu = node.process.cpuSeconds();
    double jit = node.process.jitCpuSeconds();
    double sinkCpu = sink.process().cpuSeconds();
    double units = node.metric(WRITE_UNITS);
    double commits = node.metric(WRITE_COMMITS);
    Map<String, double[]> batched = new java.util.HashMap<>();
    for (String kind : BATCH_KINDS) {
      String label = "kind=\"" + kind + "\"";
      batched.put(
          kind,
          new double[] {node.metric(BATCHED_ITEMS, label), node.metric(BATCHED_STATEMENTS, label)});
    }
    Map<String, Double> f = Figures.of();
    try (Child.Peak rss = Child.Peak.rss(node.process)) {
      Load.Counts c =
          load.closed(
              senders,
              seconds,
              maxMessages,
              n -> node.message(app, ctx.message()));
      long expected = c.ok() * fanout;
      SinkClient.Stats after = sink.awaitCount(before.count() + expected, s.drainSeconds(), 15);
      long delivered = after.count() - before.count();
      f.put("fanout", (double) fanout);
      f.put("senders", (double) senders);
      f.put("accepted_per_s", c.ok() / c.seconds());
      f.put("deliveries_per_s", delivered / ((after.lastNanos() - c.startNanos()) / 1e9));
      f.put("accepted", (double) c.ok());
      f.put("refused", (double) c.failed());
      f.put("delivered", (double) delivered);
      f.put("undelivered_at_end", (double) Math.max(0, expected - delivered));
      f.put("drain_s", (after.lastNanos() - c.endNanos()) / 1e9);
      f.put("peak_rss_mb", Figures.mb(rss.peak()));
      f.put("cpu_s_per_1000", (node.process.cpuSeconds() - cpu) / delivered * 1000);
      f.put("jit_cpu_s", node.process.jitCpuSeconds() - jit);
      f.put("sink_cpu_s_per_1000", (sink.process().cpuSeconds() - sinkCpu) / delivered * 1000);
      double ran = node.metric(WRITE_COMMITS) - commits;
      if (ran > 0) {
        f.put("write_units_per_commit", (node.metric(WRITE_UNITS) - units) / ran);
      }
      for (String kind : BATCH_KINDS) {
        String label = "kind=\"" + kind + "\"";
        double statements = node.metric(BATCHED_STATEMENTS, label) - batched.get(kind)[1];
        if (statements > 0) {
          f.put(
              kind + "s_per_statement",
              (node.metric(BATCHED_ITEMS, label) - batched.get(kind)[0]) / statements);
        }
      }
    }
    log(node.mode.label + " 1->" + fanout, f);
    return f;
  }

  /** One open-loop run through Herald at {@code rate} msg/s; latencies from the sink's record. */
  Map<String, Double> latency(HeraldNode node, String app, double rate, double seconds, int fanout) {
    sink.record((long) (rate * seconds * fanout * 1.5) + 10_000);
    SinkClient.Stats before = sink.stats();
    double cpu = node.process.cpuSeconds();
    Map<String, Double> f = Figures.of();
    try (Child.Peak rss = Child.Peak.rss(node.process)) {
      Load.Sent sent = load.open(rate, seconds, n -> node.message(app, ctx.message()), DeliveryRuns::msgId);
      long expected = (long) sent.scheduledNanos().size() * fanout;
      SinkClient.Stats after = sink.awaitCount(before.count() + expected, s.drainSeconds(), 15);
      List<SinkClient.Arrival> arrivals = sink.arrivals();
      double[] ms = new double[arrivals.size()];
      StringBuilder csv = new StringBuilder("sent_ms,latency_ms\n");
      int n = 0;
      for (SinkClient.Arrival a : arrivals) {
        Long at = sent.scheduledNanos().get(a.id());
        if (at != null) {
          ms[n++] = (a.nanos() - at) / 1e6;
          csv.append((at - sent.startNanos()) / 1e6).append(',').append(ms[n - 1]).append('\n');
        }
      }
      dump(node.mode.label + "-" + rate + "-1to" + fanout, csv);
      f.put("fanout", (double) fanout);
      f.put("rate_msg_per_s", rate);
      f.put("accepted", (double) sent.scheduledNanos().size());
      f.put("refused", (double) sent.failed());
      Figures.percentiles(f, java.util.Arrays.copyOf(ms, n));
      f.put("undelivered_at_end", (double) Math.max(0, expected - n));
      f.put("deliveries_per_s", (after.count() - before.count()) / ((after.lastNanos() - sent.startNanos()) / 1e9));
      f.put("peak_rss_mb", Figures.mb(rss.peak()));
      f.put(
          "cpu_s_per_1000",
          (node.process.cpuSeconds() - cpu) / Math.max(1, after.count() - before.count()) * 1000);
    }
    log(node.mode.label + " " + rate + " msg/s 1->" + fanout, f);
    return f;
  }

  /**
   * With {@code BENCH_LATENCY_DUMP} set to a directory, writes one latency run's samples there
   * (when each message was due after the run's start, and its latency; both in ms), to see when a
   * tail happened.
   */
  private void dump(String name, CharSequence csv) {
    if (s.latencyDump().isEmpty()) {
      return;
    }
    Path file = Path.of(s.latencyDump(), "latency-" + name + "-" + (++dumps) + ".csv");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String msgId(String body) {
    Matcher m = MSG_ID.matcher(body);
    return m.find() ? m.group(1) : "?";
  }

  private Map<String, Object> repeat(java.util.function.Supplier<Map<String, Double>> run) {
    List<Map<String, Double>> runs = new ArrayList<>();
    for (int i = 0; i < s.runs(); i++) {
      runs.add(run.get());
    }
    return summary(runs);
  }

  static Map<String, Object> summary(List<Map<String, Double>> runs) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("median", rounded(Figures.median(runs)));
    out.put("runs", runs.stream().map(DeliveryRuns::rounded).toList());
    return out;
  }

  static Map<String, Double> rounded(Map<String, Double> f) {
    Map<String, Double> out = new LinkedHashMap<>();
    f.forEach((k, v) -> out.put(k, Figures.round(v)));
    return out;
  }

  static void log(String what, Map<String, Double> f) {
    System.out.println("bench: " + what + " " + rounded(f));
  }
}
