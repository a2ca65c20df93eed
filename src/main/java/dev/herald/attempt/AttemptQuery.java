package dev.herald.attempt;

import dev.herald.web.Input;
import dev.herald.web.Page;
import dev.herald.web.QueryParams;
import io.javalin.http.Context;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The filters of the attempt-log lists, read from the query string. {@code before} and {@code
 * after} are exclusive bounds in epoch milliseconds; {@code event_types} may be repeated or
 * comma-separated (what the Java SDK sends); {@code endpointId} is the by-message list's filter (an
 * id or uid, resolved by the service).
 */
record AttemptQuery(
    Integer status,
    CodeClass codeClass,
    List<String> eventTypes,
    String channel,
    String tag,
    Long before,
    Long after,
    String endpointId) {

  /** Most event types one list may filter by. */
  static final int MAX_EVENT_TYPES = 100;

  /** Svix Cloud's channel pattern (the open-source one without {@code :} and {@code +}). */
  static final Input.Str CHANNEL = new Input.Str(1, 128, Pattern.compile("^[a-zA-Z0-9\\-_.:+]+$"));

  /** Svix Cloud's tag pattern. */
  static final Input.Str TAG = new Input.Str(1, 128, Pattern.compile("^[a-zA-Z0-9\\-_./\\\\#]+$"));

  /** Svix's {@code StatusCodeClass}: a range of response codes; 0 means no response. */
  record CodeClass(int from, int to) {
    static CodeClass of(int value) {
      return switch (value) {
        case 0 -> new CodeClass(0, 99);
        case 100, 200, 300, 400, 500 -> new CodeClass(value, value + 99);
        default -> null;
      };
    }
  }

  static AttemptQuery from(Context ctx) {
    return new AttemptQuery(
        status(ctx, "status"),
        codeClass(ctx, "status_code_class"),
        QueryParams.eventTypes(ctx, MAX_EVENT_TYPES),
        QueryParams.matching(ctx, "channel", CHANNEL),
        QueryParams.matching(ctx, "tag", TAG),
        QueryParams.time(ctx, "before"),
        QueryParams.time(ctx, "after"),
        QueryParams.matching(ctx, "endpoint_id", Input.Str.idLike(256)));
  }

  /**
   * Svix's {@code MessageStatus} code: 0..3, or 4 (canceled), which Herald never sets and so
   * matches nothing.
   */
  static Integer status(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return null;
    }
    return switch (v) {
      case "0", "1", "2", "3", "4" -> Integer.valueOf(v);
      default ->
          throw Page.query(
              name,
              "value is not a valid enumeration member; permitted: 0, 1, 2, 3, 4",
              "type_error.enum");
    };
  }

  private static CodeClass codeClass(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return null;
    }
    CodeClass c = null;
    try {
      c = CodeClass.of(Integer.parseInt(v));
    } catch (NumberFormatException ignored) {
      // reported below
    }
    if (c == null) {
      throw Page.query(
          name,
          "value is not a valid enumeration member; permitted: 0, 100, 200, 300, 400, 500",
          "type_error.enum");
    }
    return c;
  }
}
