package dev.herald.dispatch;

import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Sends one webhook: a POST of the exact payload bytes to the endpoint's URL, and what came of it
 * as a {@link Result}.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li><b>One Jetty {@link HttpClient} per Sender</b>, started in the constructor and stopped in
 *       {@link #close()}. Its executor is a {@link QueuedThreadPool} named {@value #POOL_NAME} of
 *       at most {@value #POOL_MAX_THREADS} platform threads (selector and callbacks; no request
 *       holds one while waiting), with a virtual-thread executor for blocking work. Connections are
 *       pooled per destination (scheme, host, port), at most {@link
 *       Settings#maxConnectionsPerDestination()} each, with at most {@link
 *       Settings#maxRequestsQueuedPerDestination()} requests waiting for one; past that bound a
 *       send fails at once ({@link Result.Kind#OTHER}) instead of queueing without limit.
 *   <li><b>No redirects, no cookies, no compression.</b> A 3xx is returned as it is (and is not a
 *       success); the cookie store is empty; no {@code Accept-Encoding} is offered. Jetty's own
 *       agent is off and {@link Settings#userAgent()} is sent instead.
 *   <li><b>SSRF guard at DNS time.</b> The client's name resolver is a {@link GuardedResolver}: it
 *       resolves on a virtual thread, drops every address the {@link SsrfGuard} refuses and fails
 *       the connection with the guard's reason when none is left ({@link Result.Kind#SSRF}). Jetty
 *       asks it for IP literals too, so {@code http://127.0.0.1/} is refused the same way, and no
 *       socket is ever opened to a refused address. Because the check runs on each new connection's
 *       answer, a name re-pointed after the endpoint was saved is caught.
 *   <li><b>Timeouts.</b> {@link Settings#connectTimeout()} bounds each connect; {@link
 *       Settings#totalTimeout()} bounds the whole exchange from the call (queueing, resolving,
 *       connecting, sending, the response). The calling thread waits at most {@link #AWAIT_GRACE}
 *       longer for Jetty to report, then aborts the request itself.
 *   <li><b>Bounded capture.</b> At most {@link Settings#maxResponseBytes()} of the response body
 *       are kept ({@link BoundedCapture}); at the first byte past it the response is aborted and
 *       its connection closed, so an endless body neither grows memory nor holds the call. Once the
 *       status line and headers have arrived, they decide the outcome, even if the body is then cut
 *       short by the cap, a reset or the total timeout: the endpoint has answered.
 * </ul>
 *
 * <p>{@link #send} blocks the calling thread, which is meant to be a virtual thread; any number may
 * call it at once. Thread-safe.
 */
public final class Sender implements AutoCloseable {
  /** Default connect timeout and total timeout, as Svix's. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  /** Heap bytes the client keeps in its buffer pool for reuse, at most. */
  static final long MAX_POOLED_HEAP_BYTES = 16L * 1024 * 1024;

  /** Direct bytes the client keeps in its buffer pool for reuse, at most. */
  static final long MAX_POOLED_DIRECT_BYTES = 16L * 1024 * 1024;

  /** Most response-body bytes kept per attempt (20 KiB); the rest is never read. */
  public static final int MAX_RESPONSE_BYTES = 20 * 1024;

  /** Default cap on open connections to one destination (scheme, host, port). */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_DESTINATION = 64;

  /** Default cap on requests waiting for a connection to one destination. */
  public static final int DEFAULT_MAX_REQUESTS_QUEUED_PER_DESTINATION = 1024;

  /** Longest {@code Retry-After} honoured; a longer one is cut to this. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

  /** How long past the total timeout the caller waits for Jetty to report before aborting. */
  static final Duration AWAIT_GRACE = Duration.ofSeconds(2);

  /** How long an unused pooled connection stays open. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

  static final String POOL_NAME = "herald-sender";
  static final int POOL_MAX_THREADS = 16;
  private static final int POOL_MIN_THREADS = 2;
  private static final int REASON_MAX_CHARS = 500;
  private static final int MAX_CAUSE_DEPTH = 16;

  /**
   * How the sender behaves; every field is validated once here.
   *
   * @param connectTimeout longest wait for one TCP (and TLS) connect
   * @param totalTimeout longest wait for the whole exchange, from the call to the response's end
   * @param maxResponseBytes most response-body bytes kept
   * @param userAgent the {@code user-agent} header sent
   */
  public record Settings(
      Duration connectTimeout,
      Duration totalTimeout,
      int maxConnectionsPerDestination,
      int maxRequestsQueuedPerDestination,
      int maxResponseBytes,
      String userAgent) {
    public Settings {
      positive("connectTimeout", connectTimeout);
      positive("totalTimeout", totalTimeout);
      if (maxConnectionsPerDestination < 1) {
        throw new IllegalArgumentException(
            "maxConnectionsPerDestination must be at least 1, was " + maxConnectionsPerDestination);
      }
      if (maxRequestsQueuedPerDestination < 1) {
        throw new IllegalArgumentException(
            "maxRequestsQueuedPerDestination must be at least 1, was "
                + maxRequestsQueuedPerDestination);
      }
      if (maxResponseBytes < 0) {
        throw new IllegalArgumentException(
            "maxResponseBytes must not be negative, was " + maxResponseBytes);
      }
      if (userAgent == null || userAgent.isBlank()) {
        throw new IllegalArgumentException("userAgent must not be blank");
      }
    }

    /** 15 s timeouts, 64 connections and 1,024 queued requests per destination, 20 KiB kept. */
    public static Settings defaults() {
      return new Settings(
          DEFAULT_TIMEOUT,
          DEFAULT_TIMEOUT,
          DEFAULT_MAX_CONNECTIONS_PER_DESTINATION,
          DEFAULT_MAX_REQUESTS_QUEUED_PER_DESTINATION,
          MAX_RESPONSE_BYTES,
          defaultUserAgent());
    }

    /** These settings with other timeouts. */
    public Settings withTimeouts(Duration connect, Duration total) {
      return new Settings(
          connect,
          total,
          maxConnectionsPerDestination,
          maxRequestsQueuedPerDestination,
          maxResponseBytes,
          userAgent);
    }

    private static void positive(String name, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final HttpClient client;
  private final ExecutorService virtualThreads;

  /**
   * Builds and starts the HTTP client.
   *
   * @param guard decides which resolved addresses may be reached
   * @param clock reads the time an HTTP-date {@code Retry-After} is measured from
   */
  public Sender(SsrfGuard guard, Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.virtualThreads =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name(POOL_NAME + "-vt-", 0).factory());
    QueuedThreadPool pool = new QueuedThreadPool(POOL_MAX_THREADS, POOL_MIN_THREADS);
    pool.setName(POOL_NAME);
    pool.setVirtualThreadsExecutor(virtualThreads);
    this.client = new HttpClient();
    client.setName(POOL_NAME);
    // Buffers kept for reuse are capped; past the caps a buffer is simply not pooled.
    client.setByteBufferPool(
        new org.eclipse.jetty.io.ArrayByteBufferPool(
            0, -1, -1, -1, MAX_POOLED_HEAP_BYTES, MAX_POOLED_DIRECT_BYTES));
    client.setExecutor(pool);
    client.setSocketAddressResolver(new GuardedResolver(guard, virtualThreads));
    client.setConnectTimeout(settings.connectTimeout().toMillis());
    client.setIdleTimeout(IDLE_TIMEOUT.toMillis());
    client.setMaxConnectionsPerDestination(settings.maxConnectionsPerDestination());
    client.setMaxRequestsQueuedPerDestination(settings.maxRequestsQueuedPerDestination());
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setUserAgentField(null);
    try {
      client.start();
      // Emptied after start: start() installs the service-loaded decoders (gzip) into an empty set.
      client.getContentDecoderFactories().clear();
    } catch (Exception e) {
      virtualThreads.shutdownNow();
      throw new IllegalStateException("cannot start the outbound HTTP client", e);
    }
  }

  /**
   * POSTs {@code body} to {@code url} and waits for the outcome, at most the total timeout (plus
   * {@link #AWAIT_GRACE}). Never throws for anything the endpoint or the network does.
   *
   * <p>If the calling thread is interrupted while waiting, the request is aborted, the interrupt
   * flag is set again, and the result is a {@link Result.Kind#OTHER} failure.
   *
   * @param headers sent after {@code content-type: application/json} and the user agent, which a
   *     header of the same name replaces; typically the endpoint's custom headers and the signature
   *     headers
   * @param body sent exactly as given; not copied, so it must not change during the call
   */
  public Result send(String url, Map<String, String> headers, byte[] body) {
    long start = System.nanoTime();
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      return failed(Result.Kind.OTHER, "invalid URL: " + e.getMessage(), start);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return failed(Result.Kind.OTHER, "URL scheme must be http or https: " + url, start);
    }
    if (uri.getHost() == null) {
      return failed(Result.Kind.OTHER, "URL has no host: " + url, start);
    }
    long total = settings.totalTimeout().toMillis();
    BoundedCapture capture = new BoundedCapture(settings.maxResponseBytes());
    Request request;
    Scheduler.Task deadline;
    try {
      request =
          client
              .newRequest(uri)
              .method(HttpMethod.POST)
              .timeout(total, TimeUnit.MILLISECONDS)
              .headers(
                  h -> {
                    h.put(HttpHeader.CONTENT_TYPE, "application/json");
                    h.put(HttpHeader.USER_AGENT, settings.userAgent());
                    headers.forEach(h::put);
                  })
              .body(new BytesRequestContent(body));
      request.send(capture);
      // The caller's wait below has no timeout of its own: on a virtual thread a timed wait
      // schedules and cancels a wake-up on the JDK's delay scheduler, waking that scheduler's
      // thread, per request. The client's scheduler holds the deadline instead; it wakes only for
      // its earliest task.
      deadline =
          client
              .getScheduler()
              .schedule(capture::expire, total + AWAIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) { // a client being stopped refuses the request or the deadline
      return failed(Result.Kind.OTHER, describe(e), start);
    }
    org.eclipse.jetty.client.Result outcome;
    try {
      outcome = capture.await();
    } catch (InterruptedException e) {
      request.abort(e);
      Thread.currentThread().interrupt();
      return failed(Result.Kind.OTHER, "interrupted while sending", start);
    } catch (TimeoutException e) {
      request.abort(e);
      return failed(Result.Kind.TIMEOUT, "timed out after " + total + " ms", start);
    } finally {
      deadline.cancel();
    }
    return toResult(outcome, capture, start);
  }

  private Result toResult(
      org.eclipse.jetty.client.Result outcome, BoundedCapture capture, long start) {
    Response response = outcome.getResponse();
    if (capture.headersReceived()) {
      Duration retryAfter =
          retryAfter(response.getHeaders().get(HttpHeader.RETRY_AFTER), clock.instant());
      return new Result.Responded(response.getStatus(), capture.text(), since(start), retryAfter);
    }
    return classify(outcome.getFailure(), start);
  }

  private Result classify(Throwable failure, long start) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
      switch (t) {
        case GuardedResolver.SsrfRefusedException e -> {
          return failed(Result.Kind.SSRF, e.getMessage(), start);
        }
        case TimeoutException e -> {
          return failed(
              Result.Kind.TIMEOUT,
              "timed out after " + settings.totalTimeout().toMillis() + " ms",
              start);
        }
        case SocketTimeoutException e -> {
          return failed(
              Result.Kind.TIMEOUT,
              "connect timed out after " + settings.connectTimeout().toMillis() + " ms",
              start);
        }
        case UnknownHostException e -> {
          return failed(Result.Kind.CONNECT, "could not resolve host: " + e.getMessage(), start);
        }
        case SocketException e -> {
          // refused, reset, no route: ConnectException and NoRouteToHostException are kinds of it
          return failed(Result.Kind.CONNECT, describe(e), start);
        }
        case ClosedChannelException e -> {
          return failed(Result.Kind.CONNECT, "connection closed early", start);
        }
        case EOFException e -> {
          return failed(Result.Kind.CONNECT, "connection closed early", start);
        }
        default -> {}
      }
    }
    return failed(Result.Kind.OTHER, describe(failure), start);
  }

  /**
   * The wait a {@code Retry-After} value asks for: delay-seconds or an HTTP-date (measured from
   * {@code now}; a past date is zero), capped at {@link #MAX_RETRY_AFTER}. Null when absent or
   * unreadable.
   */
  static Duration retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    Duration wait;
    if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      wait = v.length() > 6 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        wait = at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
  }

  /** Stops the HTTP client: open connections close and requests in flight fail. Idempotent. */
  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the outbound HTTP client", e);
    } finally {
      virtualThreads.shutdownNow();
    }
  }

  private static Result failed(Result.Kind kind, String reason, long start) {
    return new Result.Failed(kind, reason, since(start));
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static String describe(Throwable t) {
    String text =
        t.getMessage() == null
            ? t.getClass().getSimpleName()
            : t.getClass().getSimpleName() + ": " + t.getMessage();
    return text.length() > REASON_MAX_CHARS ? text.substring(0, REASON_MAX_CHARS) : text;
  }

  /** {@code Herald-Webhooks/<version>}, the version from the jar's manifest when there is one. */
  static String defaultUserAgent() {
    String version = Sender.class.getPackage().getImplementationVersion();
    return "Herald-Webhooks/" + (version == null ? "dev" : version);
  }
}
