package dev.herald.web;

import io.javalin.http.Context;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Query-string filters shared by the list calls, each refused with Svix's 422 query error ({@link
 * Page#query}) when malformed.
 */
public final class QueryParams {
  /** An event-type name in a filter: what a message's {@code eventType} may be. */
  private static final Input.Str EVENT_TYPE = Input.Str.idLike(256);

  private QueryParams() {}

  /** Query parameter {@code name}, checked against {@code rule}; null when absent. */
  public static String matching(Context ctx, String name, Input.Str rule) {
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

  /**
   * The {@code event_types} filter, repeated ({@code ?event_types=a&event_types=b}) or
   * comma-separated ({@code ?event_types=a,b}, what the Java SDK sends), at most {@code maxItems}
   * distinct names.
   */
  public static List<String> eventTypes(Context ctx, int maxItems) {
    Set<String> out = new LinkedHashSet<>();
    for (String value : ctx.queryParams("event_types")) {
      for (String name : value.split(",", -1)) {
        check("event_types", name, EVENT_TYPE);
        out.add(name);
      }
    }
    if (out.size() > maxItems) {
      throw Page.query(
          "event_types",
          "ensure this value has at most " + maxItems + " items",
          "value_error.list.max_items");
    }
    return List.copyOf(out);
  }

  /** An ISO-8601 date-time query parameter, in epoch millis; null when absent. */
  public static Long time(Context ctx, String name) {
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

  /** A boolean query flag ({@code true}/{@code false}, any case), {@code absent} when not given. */
  public static boolean flag(Context ctx, String name, boolean absent) {
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
}
