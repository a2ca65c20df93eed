package dev.herald.attempt;

import dev.herald.web.Input;
import dev.herald.web.Page;
import io.javalin.http.Context;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
  static final Pattern CHANNEL = Pattern.compile("^[a-zA-Z0-9\\-_.:+]+$");

  /** Svix Cloud's tag pattern. */
  static final Pattern TAG = Pattern.compile("^[a-zA-Z0-9\\-_./\\\\#]+$");

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
        eventTypes(ctx),
        matching(ctx, "channel", 128, CHANNEL),
        matching(ctx, "tag", 128, TAG),
        time(ctx, "before"),
        time(ctx, "after"),
        matching(ctx, "endpoint_id", 256, Input.ID_LIKE));
  }

  /** A boolean query flag, {@code absent} when not given. */
  static boolean flag(Context ctx, String name, boolean absent) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return absent;
    }
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw Page.query(name, "value could not be parsed to a boolean", "type_error.bool");
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

  private static String matching(Context ctx, String name, int maxLength, Pattern pattern) {
    String v = ctx.queryParam(name);
    if (v != null) {
      check(name, v, maxLength, pattern);
    }
    return v;
  }

  private static void check(String name, String v, int maxLength, Pattern pattern) {
    if (v.isEmpty() || v.length() > maxLength || !pattern.matcher(v).matches()) {
      throw Page.query(
          name,
          "string does not match regex \"" + pattern.pattern() + "\" or is too long",
          "value_error.str.regex");
    }
  }

  private static List<String> eventTypes(Context ctx) {
    Set<String> out = new LinkedHashSet<>();
    for (String value : ctx.queryParams("event_types")) {
      for (String name : value.split(",", -1)) {
        check("event_types", name, 256, Input.ID_LIKE);
        out.add(name);
      }
    }
    if (out.size() > MAX_EVENT_TYPES) {
      throw Page.query(
          "event_types",
          "ensure this value has at most " + MAX_EVENT_TYPES + " items",
          "value_error.list.max_items");
    }
    return List.copyOf(out);
  }

  /** An ISO-8601 date-time query parameter, in epoch millis; null when absent. */
  static Long time(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant()
          .toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw Page.query(name, "invalid datetime format", "value_error.datetime");
    }
  }
}
