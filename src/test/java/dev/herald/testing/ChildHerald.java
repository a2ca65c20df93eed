package dev.herald.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Herald in a child JVM, for tests that kill it or measure it: started from this test's class path
 * with {@code dev.herald.cli.Main}, its output kept (the last {@link #MAX_LINES} lines), its port
 * read from the log.
 */
public final class ChildHerald implements AutoCloseable {
  static final int MAX_LINES = 2000;
  static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final Deque<String> lines = new ArrayDeque<>();
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile int port = -1;

  private ChildHerald(Process process) {
    this.process = process;
    Thread.ofPlatform().daemon().name("child-herald-log").start(this::readLog);
  }

  /**
   * Starts Herald with {@code env} (HERALD_* settings) and JVM options {@code jvm}; waits until it
   * listens, up to 60 s.
   */
  public static ChildHerald start(Map<String, String> env, List<String> jvm) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.herald.cli.Main");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
    pb.environment().putAll(env);
    try {
      ChildHerald child = new ChildHerald(pb.start());
      if (!child.ready.await(60, TimeUnit.SECONDS) || child.port < 0) {
        child.kill();
        throw new IllegalStateException("Herald did not start:\n" + child.log());
      }
      return child;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void readLog() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (lines) {
          lines.addLast(line);
          if (lines.size() > MAX_LINES) {
            lines.removeFirst();
          }
        }
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
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

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public boolean alive() {
    return process.isAlive();
  }

  public String log() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}. */
  public void stop(Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(10));
    }
  }
}
