package dev.herald.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a benchmark's results: {@code bench/results/latest.json}, {@code latest.md} (the tables),
 * {@code latency.svg} (the latency percentiles by mode), and the table into the README between its
 * {@code bench:start}/{@code bench:end} markers.
 */
final class Report {
  static final String START = "<!-- bench:start -->";
  static final String END = "<!-- bench:end -->";

  private final Path dir;

  Report(Path dir) {
    this.dir = dir;
  }

  /**
   * Rewrites the tables, the chart and the README's table from {@code bench/results/latest.json}
   * (after a change to this class): {@code java -cp target/bench-classes:target/herald.jar
   * dev.herald.bench.Report}.
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "bench/results");
    @SuppressWarnings("unchecked")
    Map<String, Object> results =
        HeraldNode.JSON.readValue(dir.resolve("latest.json").toFile(), Map.class);
    new Report(dir.toAbsolutePath()).write(results);
  }

  void write(Map<String, Object> results) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("latest.json"),
        HeraldNode.JSON
                .copy()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(results)
            + "\n");
    String table = Tables.markdown(results);
    Files.writeString(dir.resolve("latest.md"), table);
    Files.writeString(dir.resolve("latency.svg"), svg(results));
    Path readme = dir.getParent().getParent().resolve("README.md");
    if (Files.exists(readme)) {
      String text = Files.readString(readme);
      int a = text.indexOf(START);
      int b = text.indexOf(END);
      if (a >= 0 && b > a) {
        Files.writeString(
            readme, text.substring(0, a + START.length()) + "\n" + table + text.substring(b));
      }
    }
  }

  /** Grouped bars, one group per mode: p50, p90, p99, p99.9 on a log scale (ms). */
  static String svg(Map<String, Object> results) {
    List<String> modes = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    for (Map.Entry<String, Object> e : Tables.map(results.get("modes")).entrySet()) {
      Map<String, Object> latency = Tables.map(Tables.map(e.getValue()).get("latency"));
      Map<String, Object> median = Tables.map(latency.get("median"));
      if (!median.isEmpty()) {
        modes.add(e.getKey());
        values.add(
            new double[] {
              Tables.num(median, "p50_ms"),
              Tables.num(median, "p90_ms"),
              Tables.num(median, "p99_ms"),
              Tables.num(median, "p999_ms")
            });
      }
    }
    int w = 760;
    int h = 380;
    int left = 70;
    int top = 50;
    int bottom = 320;
    double max = 10;
    for (double[] v : values) {
      for (double x : v) {
        max = Math.max(max, x);
      }
    }
    double decades = Math.ceil(Math.log10(max)) + 0.0; // from 1 ms to 10^decades ms
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n",
            w,
            h));
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    b.append(
        "<text x=\"20\" y=\"24\" font-size=\"15\">Herald: POST /msg → sink arrival latency,"
            + " 1→1 at 1,000 msg/s (ms, log scale; median of runs)</text>\n");
    for (int d = 0; d <= decades; d++) {
      double y = bottom - (bottom - top) * d / decades;
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
              left,
              y,
              w - 20,
              y,
              left - 6,
              y + 4,
              String.format(Locale.ROOT, "%,d", (long) Math.pow(10, d))));
    }
    String[] colours = {"#4c78a8", "#72b7b2", "#f58518", "#e45756"};
    String[] names = {"p50", "p90", "p99", "p99.9"};
    double group = (w - left - 40.0) / Math.max(1, modes.size());
    double bar = Math.min(36, group / 5);
    for (int m = 0; m < modes.size(); m++) {
      double x0 = left + 20 + m * group;
      for (int p = 0; p < 4; p++) {
        double v = Math.max(1, values.get(m)[p]);
        double y = bottom - (bottom - top) * Math.log10(v) / decades;
        double x = x0 + p * (bar + 4);
        b.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">%s</text>%n",
                x,
                y,
                bar,
                bottom - y,
                colours[p],
                x + bar / 2,
                y - 3,
                Tables.fmt(values.get(m)[p])));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
              x0 + 2 * (bar + 4) - 2,
              bottom + 18,
              modes.get(m)));
    }
    for (int p = 0; p < 4; p++) {
      b.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                  + "<text x=\"%d\" y=\"%d\">%s</text>%n",
              left + p * 90,
              h - 26,
              colours[p],
              left + p * 90 + 16,
              h - 16,
              names[p]));
    }
    b.append("</svg>\n");
    return b.toString();
  }

  static String git(Path repo, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 ? out : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  static long memTotalMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return -1;
  }
}
