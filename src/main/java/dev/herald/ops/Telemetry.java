package dev.herald.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * The meters of one Herald: a Prometheus registry of its own (never Micrometer's global one, so two
 * Heralds in one JVM do not share counters), the JVM's and the process's memory, and whatever the
 * features register through {@link #registry()}. Built once in {@code Herald}'s constructor and
 * closed when Herald stops.
 *
 * <p>Process memory is the kernel's account, read from {@code /proc/self/status} at each scrape:
 * {@code process_resident_memory_bytes} (VmRSS), {@code process_resident_memory_peak_bytes} (VmHWM)
 * and {@code process_virtual_memory_bytes} (VmSize). Without {@code /proc} they are absent, not
 * invented.
 *
 * <p>Scrapes are serialized ({@link #scrape} is synchronized), so however many clients scrape at
 * once, one exposition text is being built at a time.
 */
public final class Telemetry implements AutoCloseable {
  /** Content type of the Prometheus text exposition format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  private final NativeMemory nativeMemory;
  private final Path procStatus;

  /** The status file as read at the last scrape; read once per scrape so its figures agree. */
  private volatile ProcStatus process;

  /** Meters for this process: {@code /proc/self/status} and the JVM's own NMT report. */
  public Telemetry(String version) {
    this(version, ProcStatus.SELF, NativeMemory::diagnosticCommand, System::nanoTime);
  }

  Telemetry(String version, Path procStatus, NativeMemory.Source nmt, LongSupplier nanoTime) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gauge.builder("herald.info", () -> 1)
        .description("Herald's version; always 1")
        .tag("version", version)
        .register(registry);
    this.procStatus = procStatus;
    this.process = ProcStatus.read(procStatus);
    bindProcessMemory();
    new JvmMemoryMetrics().bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.nativeMemory = NativeMemory.bindTo(registry, nmt, nanoTime);
  }

  private void bindProcessMemory() {
    bytesGauge("process.resident.memory", ProcStatus.RSS, "Resident set size");
    bytesGauge("process.resident.memory.peak", ProcStatus.RSS_PEAK, "Peak resident set size");
    bytesGauge("process.virtual.memory", ProcStatus.VIRTUAL, "Virtual memory size");
  }

  /** A gauge of {@code field} of the last read status, when this system has that field at all. */
  private void bytesGauge(String name, String field, String what) {
    if (process.get(field).isEmpty()) {
      return;
    }
    Gauge.builder(
            name,
            this,
            t -> t.process.get(field).stream().asDoubleStream().findFirst().orElse(Double.NaN))
        .baseUnit("bytes")
        .description(what + " of the process, from " + procStatus + " (" + field + ")")
        .register(registry);
  }

  /** Where features register their meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /** True when the JVM runs with native memory tracking and its gauges are registered. */
  public boolean nativeMemoryTracked() {
    return nativeMemory.enabled();
  }

  /** The Prometheus text exposition of every meter, as of now. */
  public synchronized String scrape() {
    process = ProcStatus.read(procStatus);
    nativeMemory.refresh();
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
