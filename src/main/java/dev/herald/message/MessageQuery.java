package dev.herald.message;

import dev.herald.web.Input;
import dev.herald.web.Page;
import io.javalin.http.Context;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The filters of a message list, read from the query string. {@code eventTypes} may be repeated
 * ({@code ?event_types=a&event_types=b}) or comma-separated ({@code ?event_types=a,b}, what the
 * Java SDK sends); {@code before} and {@code after} are exclusive bounds on the creation time, in
 * epoch milliseconds.
 */
record MessageQuery(String channel, List<String> eventTypes, String tag, Long before, Long after) {

  /** Most event types one list may filter by. */
  static final int MAX_EVENT_TYPES = 100;

  static MessageQuery from(Context ctx) {
    return new MessageQuery(
        matching(ctx, "channel", MessageIn.CHANNEL),
        eventTypes(ctx),
        matching(ctx, "tag", MessageIn.TAG_RULE),
        time(ctx, "before"),
        time(ctx, "after"));
  }

  /** Svix's {@code with_content} query flag: true unless {@code false}. */
  static boolean withContent(Context ctx) {
    String v = ctx.queryParam("with_content");
    if (v == null || v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw Page.query("with_content", "value could not be parsed to a boolean", "type_error.bool");
  }

  private static String matching(Context ctx, String name, Input.Str rule) {
    String v = ctx.queryParam(name);
    if (v != null) {
      check(name, v, rule);
    }
    return v;
  }

  private static void check(String name, String v, Input.Str rule) {
    if (v.isEmpty() || v.length() > rule.maxLength() || !rule.pattern().matcher(v).matches()) {
      throw Page.query(
          name,
          "string does not match regex \"" + rule.pattern().pattern() + "\" or is too long",
          "value_error.str.regex");
    }
  }

  private static List<String> eventTypes(Context ctx) {
    Set<String> out = new LinkedHashSet<>();
    for (String value : ctx.queryParams("event_types")) {
      for (String name : value.split(",", -1)) {
        check("event_types", name, MessageIn.EVENT_TYPE);
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

  private static Long time(Context ctx, String name) {
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
