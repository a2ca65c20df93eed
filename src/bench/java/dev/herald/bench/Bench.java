package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark driver: starts the {@link Sink}, then each Herald it needs, runs the chosen
 * scenarios and writes {@code bench/results/}. Run it with {@code ./bench/run.sh [scenario...]}
 * (scenarios: {@code ceiling throughput latency fanout rate5k isolation backlog}; none: all).
 * Settings are {@code BENCH_*} environment variables, listed in {@link Settings}.
 */
public final class Bench {
  /** Every scenario, in the order they run. */
  static final List<String> ALL =
      List.of("ceiling", "throughput", "latency", "fanout", "rate5k", "isolation", "backlog");

  /** The benchmark's settings, from {@code BENCH_*} environment variables. */
  record Settings(
      int runs,
      double seconds,
      int concurrency,
      int fanoutConcurrency,
      double latencyRate,
      double latencySeconds,
      List<String> modes,
      int endpointConcurrency,
      double drainSeconds,
      double isolationRate,
      double isolationSeconds,
      long backlog,
      double backlogMaxSeconds,
      String note,
      String latencyDump,
      double leadInSeconds) {
    static Settings fromEnv() {
      return new Settings(
          intEnv("BENCH_RUNS", 3),
          dblEnv("BENCH_SECONDS", 5),
          intEnv("BENCH_CONCURRENCY", 64),
          intEnv("BENCH_FANOUT_CONCURRENCY", 8),
          dblEnv("BENCH_LATENCY_RATE", 1000),
          dblEnv("BENCH_LATENCY_SECONDS", 6),
          List.of(env("BENCH_MODES", "sqlite-memory,pg-memory,pg-redis").split(",")),
          intEnv("BENCH_ENDPOINT_CONCURRENCY", 512),
          dblEnv("BENCH_DRAIN_SECONDS", 60),
          dblEnv("BENCH_ISOLATION_RATE", 20),
          dblEnv("BENCH_ISOLATION_SECONDS", 6),
          Long.parseLong(env("BENCH_BACKLOG", "1000000")),
          dblEnv("BENCH_BACKLOG_MAX_SECONDS", 240),
          env("BENCH_NOTE", ""),
          env("BENCH_LATENCY_DUMP", ""),
          dblEnv("BENCH_LEAD_IN_SECONDS", 2));
    }
  }

  /** What every scenario shares. */
  record Ctx(
      Settings settings, Path repo, Path logs, Load load, SinkClient sink, byte[] payload, byte[] message) {}

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(System.getProperty("bench.repo", ".")).toAbsolutePath().normalize();
    Path results = repo.resolve("bench/results");
    Path logs = repo.resolve("target/bench-logs");
    Set<String> chosen = new LinkedHashSet<>(args.length == 0 ? ALL : List.of(args));
    for (String s : chosen) {
      if (!ALL.contains(s)) {
        System.err.println("unknown scenario " + s + "; known: " + ALL);
        System.exit(2);
      }
    }
    Settings settings = Settings.fromEnv();
    long started = System.nanoTime();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("meta", meta(repo, settings, chosen));
    out.put("settings", settings);
    String sinkClasspath = System.getProperty("java.class.path");
    try (Load load = new Load(Math.max(settings.concurrency(), 64) * 2);
        Child sinkProcess =
            Child.start(
                "sink",
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g",
                    "-XX:+UseParallelGC",
                    "-cp",
                    sinkClasspath,
                    "dev.herald.bench.Sink"),
                Map.of(),
                logs.resolve("sink.log"))) {
      Ctx ctx = new Ctx(settings, repo, logs, load, new SinkClient(sinkProcess, load), payload(), null);
      ctx = new Ctx(settings, repo, logs, load, ctx.sink(), ctx.payload(), message(ctx.payload()));
      out.put("sink_pid", sinkProcess.pid());
      DeliveryRuns delivery = new DeliveryRuns(ctx);
      if (chosen.contains("ceiling") && !chosen.contains("throughput")) {
        out.put("ceiling", delivery.ceilingOnly());
      }
      Map<String, Object> modes = new LinkedHashMap<>();
      if (chosen.stream().anyMatch(List.of("throughput", "latency", "fanout", "rate5k")::contains)) {
        for (String mode : settings.modes()) {
          modes.put(mode, delivery.mode(HeraldNode.Mode.of(mode), chosen));
        }
        if (chosen.contains("throughput")) {
          out.put("ceiling", delivery.ceilingRuns());
        }
      }
      out.put("modes", modes);
      StressRuns stress = new StressRuns(ctx);
      if (chosen.contains("isolation")) {
        out.put("isolation", stress.isolation());
      }
      if (chosen.contains("backlog")) {
        out.put("backlog", stress.backlog());
      }
      out.put("sink_cpu_seconds_total", Figures.round(sinkProcess.cpuSeconds()));
    }
    double minutes = (System.nanoTime() - started) / 60e9;
    @SuppressWarnings("unchecked")
    Map<String, Object> meta = (Map<String, Object>) out.get("meta");
    meta.put("duration_minutes", Figures.round(minutes));
    meta.put("loadavg_end", Report.loadavg());
    new Report(results).write(out);
    System.out.printf("bench: done in %.1f min; results in %s%n", minutes, results);
  }

  private static Map<String, Object> meta(Path repo, Settings settings, Set<String> chosen) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("date", Instant.now().toString());
    m.put("commit", Report.git(repo, "rev-parse", "--short", "HEAD"));
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("memory_mb", Report.memTotalMb());
    m.put("loadavg_start", Report.loadavg());
    m.put("scenarios", new ArrayList<>(chosen));
    m.put("runs_per_figure", settings.runs());
    m.put("note", settings.note());
    return m;
  }

  /** A 1,024-byte JSON object: the payload every scenario sends. */
  static byte[] payload() {
    String head = "{\"data\":\"";
    String tail = "\"}";
    return (head + "x".repeat(1024 - head.length() - tail.length()) + tail)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The body of {@code POST /msg} carrying {@code payload}. */
  static byte[] message(byte[] payload) {
    return ("{\"eventType\":\"bench.event\",\"payload\":"
            + new String(payload, StandardCharsets.UTF_8)
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  static int intEnv(String name, int fallback) {
    return Integer.parseInt(env(name, Integer.toString(fallback)));
  }

  static double dblEnv(String name, double fallback) {
    return Double.parseDouble(env(name, Double.toString(fallback)));
  }
}
