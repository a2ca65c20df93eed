package dev.herald.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The markdown tables of a benchmark's results, with the targets checked. */
final class Tables {
  private Tables() {}

  static String markdown(Map<String, Object> r) {
    Map<String, Object> meta = map(r.get("meta"));
    Map<String, Object> modes = map(r.get("modes"));
    Map<String, Object> ceiling = map(map(r.get("ceiling")).get("median"));
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Run %s at commit `%s`: %s cores, %s MB, %s, %s. Each figure is the median of %s runs"
                + " (backlog: one run); the set took %s min. Load average at start %s, at end"
                + " %s.%s%n%n",
            meta.get("date"),
            meta.get("commit"),
            meta.get("cores"),
            meta.get("memory_mb"),
            meta.get("jdk"),
            meta.get("os"),
            meta.get("runs_per_figure"),
            meta.get("duration_minutes"),
            meta.get("loadavg_start"),
            meta.get("loadavg_end"),
            String.valueOf(meta.get("note")).isBlank() ? "" : " " + meta.get("note")));
    b.append(
        "| mode | accepted msg/s (1→1) | deliveries/s 1→1 | ÷ ceiling | deliveries/s 1→10 |"
            + " deliveries/s 1→100 | p50 / p90 / p99 / p99.9 ms, 1,000 msg/s offered | peak RSS MB"
            + " (1→1) | CPU s per 1,000 deliveries | peak RSS MB, 5,000 deliveries/s offered (1→10) |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    if (!ceiling.isEmpty()) {
      b.append(
          String.format(
              "| ceiling (client → sink, no Herald) | | %s | 1 | | | | | sink: %s | |%n",
              fmt(num(ceiling, "deliveries_per_s")), fmt(num(ceiling, "sink_cpu_s_per_1000"))));
    }
    for (Map.Entry<String, Object> e : modes.entrySet()) {
      Map<String, Object> m = map(e.getValue());
      Map<String, Object> t = median(m, "throughput");
      Map<String, Object> l = median(m, "latency");
      b.append(
          String.format(
              "| %s | %s | %s | %s | %s | %s | %s / %s / %s / %s | %s | %s | %s |%n",
              e.getKey(),
              fmt(num(t, "accepted_per_s")),
              fmt(num(t, "deliveries_per_s")),
              fmt(num(t, "ratio_to_ceiling")),
              fmt(num(median(m, "fanout_10"), "deliveries_per_s")),
              fmt(num(median(m, "fanout_100"), "deliveries_per_s")),
              fmt(num(l, "p50_ms")),
              fmt(num(l, "p90_ms")),
              fmt(num(l, "p99_ms")),
              fmt(num(l, "p999_ms")),
              fmt(num(t, "peak_rss_mb")),
              fmt(num(t, "cpu_s_per_1000")),
              fmt(num(median(m, "rate5k"), "peak_rss_mb"))));
    }
    Map<String, Object> iso = map(r.get("isolation"));
    Map<String, Object> backlog = map(map(r.get("backlog")).get("figures"));
    b.append("\n");
    b.append(walPeaks(modes, backlog));
    b.append(jitSeconds(modes));
    if (!iso.isEmpty()) {
      Map<String, Object> base = median(iso, "baseline");
      Map<String, Object> slow = median(iso, "beside_slow");
      b.append(
          String.format(
              "Isolation (%s, 1→100 at %s msg/s, default 16 deliveries in flight per endpoint):"
                  + " fast endpoints' p99 %s ms with 100 fast endpoints, %s ms beside one"
                  + " answering in 2 s (× %s); p50 %s → %s ms.%n%n",
              iso.get("mode"),
              fmt(num(base, "rate_msg_per_s")),
              fmt(num(base, "p99_ms")),
              fmt(num(slow, "p99_ms")),
              fmt(((Number) iso.get("p99_ratio")).doubleValue()),
              fmt(num(base, "p50_ms")),
              fmt(num(slow, "p50_ms"))));
    }
    if (!backlog.isEmpty()) {
      b.append(
          String.format(
              "Backlog (%s): %s pending deliveries to 100 endpoints of a stopped sink, accepted"
                  + " in %s s (%s deliveries/s); RSS %s MB cold, %s MB before (after %s"
                  + " deliveries of a 1→100 warm-up to the live sink), %s MB after (+%s MB),"
                  + " peak %s MB.%n%n",
              map(r.get("backlog")).get("mode"),
              fmt(num(backlog, "pending_deliveries")),
              fmt(num(backlog, "fill_seconds")),
              fmt(num(backlog, "accepted_deliveries_per_s")),
              fmt(num(backlog, "rss_cold_mb")),
              fmt(num(backlog, "rss_before_mb")),
              fmt(num(backlog, "warm_up_deliveries")),
              fmt(num(backlog, "rss_after_mb")),
              fmt(num(backlog, "rss_added_mb")),
              fmt(num(backlog, "peak_rss_mb"))));
    }
    b.append(targets(modes, iso, backlog));
    return b.toString();
  }

  /** The SQLite write-ahead log's largest file per SQLite mode and in the backlog run, if any. */
  private static String walPeaks(Map<String, Object> modes, Map<String, Object> backlog) {
    StringBuilder seen = new StringBuilder();
    for (Map.Entry<String, Object> e : modes.entrySet()) {
      double mb = num(map(e.getValue()), "peak_wal_mb_lifetime");
      if (!Double.isNaN(mb)) {
        seen.append(seen.isEmpty() ? "" : ", ").append(e.getKey()).append(" ").append(fmt(mb));
      }
    }
    double inBacklog = num(backlog, "peak_wal_mb");
    if (!Double.isNaN(inBacklog)) {
      seen.append(seen.isEmpty() ? "" : ", ").append("backlog ").append(fmt(inBacklog));
    }
    return seen.isEmpty()
        ? ""
        : "SQLite write-ahead log file, largest seen (MB, sampled every 100 ms over each Herald's"
            + " whole life; the log starts over past 64 MiB): "
            + seen
            + ".\n\n";
  }

  /**
   * The JIT compiler's CPU seconds in each measured 1→1 run, per mode: compiling that took the
   * cores from serving, which a median of three hides when one run is hit.
   */
  private static String jitSeconds(Map<String, Object> modes) {
    StringBuilder seen = new StringBuilder();
    for (Map.Entry<String, Object> e : modes.entrySet()) {
      Object runs = map(map(e.getValue()).get("throughput")).get("runs");
      if (!(runs instanceof List<?> list) || list.isEmpty()) {
        continue;
      }
      StringBuilder each = new StringBuilder();
      for (Object run : list) {
        each.append(each.isEmpty() ? "" : " / ").append(fmt(num(map(run), "jit_cpu_s")));
      }
      seen.append(seen.isEmpty() ? "" : "; ").append(e.getKey()).append(" ").append(each);
    }
    return seen.isEmpty()
        ? ""
        : "Herald's JIT compiler threads, CPU seconds in each measured 1→1 run (out of two cores"
            + " for the run's length): "
            + seen
            + ".\n\n";
  }

  private static String targets(
      Map<String, Object> modes, Map<String, Object> iso, Map<String, Object> backlog) {
    StringBuilder b = new StringBuilder("| target (issue 5, 2 cores) | measured | met |\n");
    b.append("|---|---:|---|\n");
    double embedded = num(median(map(modes.get("sqlite-memory")), "throughput"), "deliveries_per_s");
    row(b, "embedded ≥ 10,000 deliveries/s at 1→1", embedded, embedded >= 10_000);
    for (String pg : List.of("pg-memory", "pg-redis")) {
      double ratio = num(median(map(modes.get(pg)), "throughput"), "ratio_to_ceiling");
      row(b, pg + " ≥ 0.15 of the ceiling", ratio, ratio >= 0.15);
    }
    for (Map.Entry<String, Object> e : modes.entrySet()) {
      double p99 = num(median(map(e.getValue()), "latency"), "p99_ms");
      row(b, e.getKey() + " p99 ≤ 20 ms at 1,000 msg/s", p99, p99 <= 20);
      double rss = num(median(map(e.getValue()), "rate5k"), "peak_rss_mb");
      row(b, e.getKey() + " RSS ≤ 256 MB at 5,000 deliveries/s", rss, rss <= 256);
    }
    double added = num(backlog, "rss_added_mb");
    row(b, "backlog adds ≤ 64 MB RSS (to a warmed Herald)", added, added <= 64);
    if (!iso.isEmpty()) {
      double ratio = ((Number) iso.get("p99_ratio")).doubleValue();
      row(b, "fast endpoints' p99 ≤ 2× baseline beside a slow one", ratio, ratio <= 2);
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String what, double value, boolean met) {
    if (!Double.isNaN(value)) {
      b.append(String.format("| %s | %s | %s |%n", what, fmt(value), met ? "yes" : "**no**"));
    }
  }

  static Map<String, Object> median(Map<String, Object> m, String scenario) {
    return map(map(m.get(scenario)).get("median"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static double num(Map<String, Object> m, String key) {
    return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** Three significant figures, thousands separated; blank for NaN. */
  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,d", Math.round(v));
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
