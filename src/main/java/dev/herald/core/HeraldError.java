package dev.herald.core;

import java.time.Duration;
import java.util.List;

/**
 * Every error Herald answers on purpose. {@code web.ErrorMapper} alone turns these into HTTP
 * statuses and Svix's body shapes; anything that is not a {@code HeraldError} is internal and
 * answers a bare 500.
 */
public abstract sealed class HeraldError extends RuntimeException {
  private final String code;

  private HeraldError(String code, String detail) {
    super(detail, null, false, false);
    this.code = code;
  }

  /** Svix's machine-readable code, e.g. {@code not_found}. */
  public String code() {
    return code;
  }

  public String detail() {
    return getMessage();
  }

  /** 404. */
  public static final class NotFound extends HeraldError {
    public NotFound(String detail) {
      super("not_found", detail);
    }
  }

  /** 409: a unique key (uid, name, eventId) is taken, or a request with the same key is running. */
  public static final class Conflict extends HeraldError {
    public Conflict(String detail) {
      super("conflict", detail);
    }
  }

  /** 400 with a Svix code, for input that is well-formed JSON but unacceptable as a whole. */
  public static final class BadRequest extends HeraldError {
    public BadRequest(String code, String detail) {
      super(code, detail);
    }
  }

  /** 422 with Svix's validation body: one entry per offending field. */
  public static final class Invalid extends HeraldError {
    private final List<FieldError> errors;

    public Invalid(List<FieldError> errors) {
      super("validation", errors.isEmpty() ? "invalid" : errors.get(0).msg());
      this.errors = List.copyOf(errors);
    }

    public static Invalid of(List<String> loc, String msg, String type) {
      return new Invalid(List.of(new FieldError(loc, msg, type)));
    }

    public List<FieldError> errors() {
      return errors;
    }
  }

  /** One entry of a 422 body: where ({@code ["body","name"]}), what, and the error's kind. */
  public record FieldError(List<String> loc, String msg, String type) {}

  /** 413. */
  public static final class TooLarge extends HeraldError {
    public TooLarge(String detail) {
      super("payload_too_large", detail);
    }
  }

  /** 429 or 503 with {@code Retry-After}. */
  public static final class Overloaded extends HeraldError {
    private final Duration retryAfter;
    private final int status;

    public Overloaded(int status, Duration retryAfter, String detail) {
      super(status == 429 ? "rate_limited" : "overloaded", detail);
      this.status = status;
      this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
      return retryAfter;
    }

    public int status() {
      return status;
    }
  }

  /** 408: the client sent its request too slowly. */
  public static final class Timeout extends HeraldError {
    public Timeout(String detail) {
      super("request_timeout", detail);
    }
  }

  /** 401. */
  public static final class Unauthorized extends HeraldError {
    public Unauthorized(String detail) {
      super("authentication_failed", detail);
    }
  }

  /** 403. */
  public static final class Forbidden extends HeraldError {
    public Forbidden(String detail) {
      super("insufficient_access", detail);
    }
  }

  /** 501: an operation Herald knows but does not serve. */
  public static final class NotImplemented extends HeraldError {
    public NotImplemented(String detail) {
      super("not_implemented", detail);
    }
  }
}
