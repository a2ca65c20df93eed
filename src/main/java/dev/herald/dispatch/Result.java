package dev.herald.dispatch;

import java.time.Duration;

/**
 * What one outbound webhook request came to: the endpoint answered ({@link Responded}), or no
 * answer was had ({@link Failed}). Only a 2xx answer is a success; a 3xx is a failure because
 * redirects are not followed.
 */
public sealed interface Result {

  /** How long the attempt took, from the call to its outcome. */
  Duration took();

  /** The endpoint answered 2xx. */
  default boolean success() {
    return this instanceof Responded r && r.status() >= 200 && r.status() < 300;
  }

  /** The endpoint asked to slow down: a timeout or a 429. Such a retry waits longer. */
  default boolean throttled() {
    return switch (this) {
      case Responded r -> r.status() == 429;
      case Failed f -> f.kind() == Kind.TIMEOUT;
    };
  }

  /**
   * The endpoint answered with a status line and headers.
   *
   * @param body the start of the response body (at most the sender's cap), decoded as UTF-8 with
   *     malformed bytes replaced
   * @param retryAfter the endpoint's {@code Retry-After} (seconds or HTTP-date), capped at {@link
   *     Sender#MAX_RETRY_AFTER}; null when absent or unreadable
   */
  record Responded(int status, String body, Duration took, Duration retryAfter) implements Result {}

  /**
   * No answer was had.
   *
   * @param reason a short human-readable cause, suitable for the attempt log
   */
  record Failed(Kind kind, String reason, Duration took) implements Result {}

  /** Why no answer was had. */
  enum Kind {
    /** The connect or the total timeout ran out. */
    TIMEOUT,
    /** The name did not resolve, or the connection was refused, reset or closed early. */
    CONNECT,
    /** Every address the host resolved to is refused by the {@link SsrfGuard}. */
    SSRF,
    /** Anything else: an unusable URL, a TLS failure, an HTTP protocol error. */
    OTHER
  }
}
