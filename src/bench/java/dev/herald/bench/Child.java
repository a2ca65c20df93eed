package dev.herald.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process the benchmark started (the sink, a Herald): its output goes to a log file, its port is
 * read from the line matching {@code "listening on http://127.0.0.1:PORT"}, and it is stopped by
 * the PID held here (SIGTERM, then SIGKILL after 20 s). Also reads its CPU time and memory from
 * {@code /proc/<pid>/}.
 */
final class Child implements AutoCloseable {
  static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

  /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ; 100 on Linux/x86-64). */
  static final double CLK_TCK = 100.0;

  private final String name;
  private final Process process;
  private final Path log;
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile int port = -1;

  private final Thread onExit;

  private Child(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    Thread.ofPlatform().daemon().name(name + "-log").start(this::pump);
    // An interrupted driver (Ctrl-C, SIGTERM) still stops what it started.
    this.onExit = new Thread(process::destroy, name + "-stop");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /** Starts {@code cmd} with {@code env} added (HERALD_* inherited variables removed). */
  static Child start(String name, List<String> cmd, Map<String, String> env, Path log) {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
    pb.environment().putAll(env);
    try {
      Files.createDirectories(log.getParent());
      Child child = new Child(name, pb.start(), log);
      if (!child.ready.await(120, TimeUnit.SECONDS) || child.port < 0) {
        child.close();
        throw new IllegalStateException(name + " did not start; see " + log);
      }
      return child;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void pump() {
    try (BufferedReader r =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.println(line);
        out.flush();
        Matcher m = LISTENING.matcher(line);
        if (port < 0 && m.find()) {
          port = Integer.parseInt(m.group(1));
          ready.countDown();
        }
      }
    } catch (IOException e) {
      // the process ended
    } finally {
      ready.countDown();
    }
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** User plus system CPU seconds the process has used so far. */
  double cpuSeconds() {
    try {
      return cpuSeconds(Files.readString(Path.of("/proc", Long.toString(pid()), "stat")));
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  /**
   * CPU seconds the JVM's JIT compiler threads ({@code C1 CompilerThre…}, {@code C2
   * CompilerThre…}) have used so far: what compiling, not serving, took.
   */
  double jitCpuSeconds() {
    double sum = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (comm.contains("CompilerThre")) {
            sum += cpuSeconds(stat);
          }
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return Double.NaN;
    }
    return sum;
  }

  /** utime plus stime of one {@code stat} line, in seconds. */
  private static double cpuSeconds(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
  }

  /** Resident set size now ({@code VmRSS}), in bytes. */
  long rssBytes() {
    return status("VmRSS:");
  }

  /** Peak resident set size since the start ({@code VmHWM}), in bytes. */
  long peakRssBytes() {
    return status("VmHWM:");
  }

  private long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException e) {
      // gone
    }
    return -1;
  }

  /** Stops the process: SIGTERM, then SIGKILL when it has not ended within 20 s. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // already shutting down: the hook does it
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        System.err.println(name + " (pid " + pid() + ") ignored SIGTERM; killing it");
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Samples a size every 100 ms and keeps the largest: a process's RSS, a file's length. */
  static final class Peak implements AutoCloseable {
    private final Thread thread;
    private volatile long peak;
    private volatile boolean running = true;

    Peak(LongSupplier size) {
      peak = size.getAsLong();
      thread =
          Thread.ofPlatform()
              .daemon()
              .name("peak-sampler")
              .start(
                  () -> {
                    while (running) {
                      peak = Math.max(peak, size.getAsLong());
                      try {
                        Thread.sleep(100);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
    }

    /** The peak resident set size of {@code child} while this runs. */
    static Peak rss(Child child) {
      return new Peak(child::rssBytes);
    }

    long peak() {
      return peak;
    }

    @Override
    public void close() {
      running = false;
      thread.interrupt();
    }
  }
}
