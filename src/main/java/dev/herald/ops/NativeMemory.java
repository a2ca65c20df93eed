package dev.herald.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Native memory as the JVM accounts it, from Native Memory Tracking ({@code
 * -XX:NativeMemoryTracking=summary}, set by the launcher): {@code
 * jvm_native_memory_committed_bytes} and {@code jvm_native_memory_reserved_bytes} per category
 * (Java heap, class, thread, code, GC, ...) and for the {@code total}. Heap metrics alone miss what
 * kills a JVM in a container: thread stacks, metaspace, code cache, GC structures and malloc
 * arenas.
 *
 * <p>The report comes from the {@code VM.native_memory summary} diagnostic command. It costs a walk
 * of the JVM's books, so it is taken at most once per {@link #MAX_AGE}; a scrape in between sees
 * the last one. When tracking is off (it can only be set at JVM start), the command says so, this
 * object does nothing and no gauge is registered.
 *
 * <p>Thread safety: {@link #refresh} is synchronized; the gauges are replaced as a whole on each
 * new report, so a category that drops out of the report (NMT omits those under 1 KB) disappears.
 */
final class NativeMemory {
  /** How long one report serves scrapes before the JVM is asked again. */
  static final Duration MAX_AGE = Duration.ofSeconds(5);

  /** Bound on the categories taken from one report (the JVM has about thirty). */
  static final int MAX_CATEGORIES = 64;

  /** The category label of the report's {@code Total:} line. */
  static final String TOTAL = "total";

  /** One category of the report, in bytes. */
  record Usage(String category, long reservedBytes, long committedBytes) {}

  /** Where the report text comes from; empty text when it cannot be had. */
  @FunctionalInterface
  interface Source {
    String summary();
  }

  private static final Pattern TOTAL_LINE =
      Pattern.compile("^Total: reserved=(\\d{1,15})([KMG]?B), committed=(\\d{1,15})([KMG]?B)");
  private static final Pattern CATEGORY_LINE =
      Pattern.compile(
          "^-\\s+(\\S[^(]*?)\\s+\\(reserved=(\\d{1,15})([KMG]?B), committed=(\\d{1,15})([KMG]?B)");

  private final Source source;
  private final LongSupplier nanoTime;
  private final MultiGauge reserved;
  private final MultiGauge committed;

  /** When the last report was asked for (guarded by {@code this}). */
  private long takenAt;

  private NativeMemory(
      Source source, LongSupplier nanoTime, MultiGauge reserved, MultiGauge committed) {
    this.source = source;
    this.nanoTime = nanoTime;
    this.reserved = reserved;
    this.committed = committed;
  }

  /**
   * Registers the gauges on {@code registry} when {@code source} gives a report; otherwise returns
   * an instance whose {@link #refresh} does nothing.
   */
  static NativeMemory bindTo(MeterRegistry registry, Source source, LongSupplier nanoTime) {
    List<Usage> first = parse(source.summary());
    if (first.isEmpty()) {
      return new NativeMemory(source, nanoTime, null, null);
    }
    NativeMemory nmt =
        new NativeMemory(
            source,
            nanoTime,
            gauge(registry, "jvm.native.memory.reserved", "reserved"),
            gauge(registry, "jvm.native.memory.committed", "committed"));
    nmt.takenAt = nanoTime.getAsLong();
    nmt.publish(first);
    return nmt;
  }

  private static MultiGauge gauge(MeterRegistry registry, String name, String what) {
    return MultiGauge.builder(name)
        .baseUnit("bytes")
        .description("Native memory " + what + " by the JVM, by NMT category")
        .register(registry);
  }

  boolean enabled() {
    return committed != null;
  }

  /** Takes a new report when the last one is older than {@link #MAX_AGE}. */
  synchronized void refresh() {
    long now = nanoTime.getAsLong();
    if (enabled() && now - takenAt >= MAX_AGE.toNanos()) {
      takenAt = now; // also when the report fails: scrapes stay cheap, the old figures stay up
      List<Usage> usage = parse(source.summary());
      if (!usage.isEmpty()) {
        publish(usage);
      }
    }
  }

  private void publish(List<Usage> usage) {
    List<MultiGauge.Row<?>> reservedRows = new ArrayList<>();
    List<MultiGauge.Row<?>> committedRows = new ArrayList<>();
    for (Usage u : usage) {
      Tags tags = Tags.of("category", u.category());
      reservedRows.add(MultiGauge.Row.of(tags, u.reservedBytes()));
      committedRows.add(MultiGauge.Row.of(tags, u.committedBytes()));
    }
    reserved.register(reservedRows, true);
    committed.register(committedRows, true);
  }

  /**
   * Parses the text of {@code VM.native_memory summary}: the {@code Total:} line (category {@code
   * total}) and each {@code - Name (reserved=..., committed=...)} line, with the name in lower
   * case, words joined by {@code _}. Empty when the text is not a report (tracking off).
   */
  static List<Usage> parse(String text) {
    List<Usage> out = new ArrayList<>();
    boolean total = false;
    for (String line : text.split("\n")) {
      Matcher t = TOTAL_LINE.matcher(line);
      Matcher c = CATEGORY_LINE.matcher(line.stripLeading());
      if (!total && t.find()) {
        total = true;
        out.add(new Usage(TOTAL, bytes(t.group(1), t.group(2)), bytes(t.group(3), t.group(4))));
      } else if (c.find() && out.size() < MAX_CATEGORIES) {
        out.add(
            new Usage(
                label(c.group(1)), bytes(c.group(2), c.group(3)), bytes(c.group(4), c.group(5))));
      }
    }
    return total ? out : List.of();
  }

  private static String label(String name) {
    return name.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }

  private static long bytes(String amount, String unit) {
    long n = Long.parseLong(amount);
    return switch (unit) {
      case "KB" -> n << 10;
      case "MB" -> n << 20;
      case "GB" -> n << 30;
      default -> n;
    };
  }

  /** The report from this JVM through the platform MBean server; empty text when unavailable. */
  static String diagnosticCommand() {
    try {
      Object out =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "vmNativeMemory",
                  new Object[] {new String[] {"summary"}},
                  new String[] {String[].class.getName()});
      return out instanceof String s ? s : "";
    } catch (JMException | RuntimeException e) {
      return "";
    }
  }
}
