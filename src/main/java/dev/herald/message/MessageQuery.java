package dev.herald.message;

import dev.herald.web.QueryParams;
import io.javalin.http.Context;
import java.util.List;

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
        QueryParams.matching(ctx, "channel", MessageIn.CHANNEL),
        QueryParams.eventTypes(ctx, MAX_EVENT_TYPES),
        QueryParams.matching(ctx, "tag", MessageIn.TAG_RULE),
        QueryParams.time(ctx, "before"),
        QueryParams.time(ctx, "after"));
  }

  /** Svix's {@code with_content} query flag: true unless {@code false}. */
  static boolean withContent(Context ctx) {
    return QueryParams.flag(ctx, "with_content", true);
  }
}
