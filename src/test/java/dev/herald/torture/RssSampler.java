package dev.herald.torture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Samples a process's resident set (VmRSS of {@code /proc/<pid>/status}) every {@link #PERIOD_MS}
 * on a daemon thread, keeping the peak overall and per phase.
 */
final class RssSampler implements AutoCloseable {
  static final long PERIOD_MS = 100;

  private final Path status;
  private final Thread thread;
  private final Map<String, Long> phasePeaks = new LinkedHashMap<>();
  private volatile boolean running = true;
  private String phase = "start";
  private long peak;
  private long last;
  private long samples;

  RssSampler(long pid) {
    this.status = Path.of("/proc", Long.toString(pid), "status");
    this.thread = Thread.ofPlatform().daemon().name("rss-sampler").start(this::run);
  }

  /** VmRSS of {@code status} in bytes; empty once the process is gone. */
  static OptionalLong rss(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring("VmRSS:".length()).trim().split("\\s+")[0];
          return OptionalLong.of(Long.parseLong(kb) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process ended
    }
    return OptionalLong.empty();
  }

  OptionalLong now() {
    return rss(status);
  }

  private void run() {
    while (running) {
      OptionalLong v = rss(status);
      if (v.isPresent()) {
        record(v.getAsLong());
      }
      try {
        TimeUnit.MILLISECONDS.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void record(long bytes) {
    samples++;
    last = bytes;
    peak = Math.max(peak, bytes);
    phasePeaks.merge(phase, bytes, Math::max);
  }

  /** Samples from now on count towards {@code name}. */
  synchronized void phase(String name) {
    phase = name;
  }

  synchronized long peak() {
    return peak;
  }

  synchronized long last() {
    return last;
  }

  synchronized long samples() {
    return samples;
  }

  synchronized Map<String, Long> phasePeaks() {
    return new LinkedHashMap<>(phasePeaks);
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
