package dev.herald.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one run (name → value, in insertion order), and the arithmetic over runs: the
 * median of each figure, percentiles of a sample.
 */
final class Figures {
  private Figures() {}

  /** A fresh, ordered figure map. */
  static Map<String, Double> of() {
    return new LinkedHashMap<>();
  }

  /** The median of each figure over {@code runs} (NaN values ignored). */
  static Map<String, Double> median(List<Map<String, Double>> runs) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (runs.isEmpty()) {
      return out;
    }
    for (String key : runs.getFirst().keySet()) {
      List<Double> values = new ArrayList<>();
      for (Map<String, Double> run : runs) {
        Double v = run.get(key);
        if (v != null && !v.isNaN()) {
          values.add(v);
        }
      }
      out.put(key, medianOf(values));
    }
    return out;
  }

  static double medianOf(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** The {@code q} quantile (0..1) of {@code sorted} (nearest rank). */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** p50, p90, p99, p99.9 (ms) of {@code latenciesMs} into {@code f}. */
  static void percentiles(Map<String, Double> f, double[] latenciesMs) {
    double[] s = latenciesMs.clone();
    Arrays.sort(s);
    f.put("p50_ms", quantile(s, 0.50));
    f.put("p90_ms", quantile(s, 0.90));
    f.put("p99_ms", quantile(s, 0.99));
    f.put("p999_ms", quantile(s, 0.999));
    f.put("max_ms", s.length == 0 ? Double.NaN : s[s.length - 1]);
    f.put("samples", (double) s.length);
  }

  static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  /** {@code v} rounded to three significant places after the point, for the JSON. */
  static double round(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    return Math.round(v * 1000.0) / 1000.0;
  }
}
