package dev.herald.web;

import dev.herald.core.HeraldError;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * One page request: {@code limit}, {@code iterator} and {@code order}, as Svix reads them. The
 * iterator is the sort key (an id or a name) of the last item seen; a leading {@code -} asks for
 * the page before that key ({@code prevIterator}).
 */
public record Page(int limit, String iterator, boolean descending) {
  /** Items per page when {@code limit} is absent. */
  public static final int DEFAULT_LIMIT = 50;

  /** Largest page; a larger {@code limit} is capped to it. */
  public static final int MAX_LIMIT = 250;

  /** Longest iterator accepted. */
  static final int MAX_ITERATOR_LENGTH = 512;

  /**
   * Reads the page parameters of {@code ctx}; {@code descendingByDefault} sets the default order.
   */
  public static Page from(Context ctx, boolean descendingByDefault) {
    int limit = DEFAULT_LIMIT;
    String rawLimit = ctx.queryParam("limit");
    if (rawLimit != null) {
      try {
        limit = Integer.parseInt(rawLimit);
      } catch (NumberFormatException e) {
        throw query("limit", "value is not a valid integer", "type_error.integer");
      }
      if (limit < 1) {
        throw query("limit", "ensure this value is greater than 0", "value_error.number.not_gt");
      }
      limit = Math.min(limit, MAX_LIMIT);
    }
    String iterator = ctx.queryParam("iterator");
    if (iterator != null && (iterator.isEmpty() || iterator.length() > MAX_ITERATOR_LENGTH)) {
      throw query("iterator", "invalid iterator", "value_error");
    }
    boolean descending = descendingByDefault;
    String order = ctx.queryParam("order");
    if (order != null) {
      descending =
          switch (order) {
            case "ascending" -> false;
            case "descending" -> true;
            default ->
                throw query(
                    "order",
                    "value is not a valid enumeration member; permitted: 'ascending',"
                        + " 'descending'",
                    "type_error.enum");
          };
    }
    return new Page(limit, iterator, descending);
  }

  /** A 422 about query parameter {@code name}. */
  public static HeraldError.Invalid query(String name, String msg, String type) {
    return HeraldError.Invalid.of(List.of("query", name), msg, type);
  }

  boolean backwards() {
    return iterator != null && iterator.startsWith("-");
  }

  String cursor() {
    return backwards() ? iterator.substring(1) : iterator;
  }

  /**
   * The tail of a query ordered by {@code column}: a cursor predicate ({@code AND column > ?}, when
   * there is an iterator), the order and the limit. Appends its parameters to {@code args}.
   */
  public String sql(String column, List<Object> args) {
    // Scanning upwards when the order is ascending and we go forwards, or descending and back.
    boolean upwards = descending == backwards();
    StringBuilder sb = new StringBuilder();
    if (iterator != null) {
      sb.append(" AND ").append(column).append(upwards ? " > ?" : " < ?");
      args.add(cursor());
    }
    sb.append(" ORDER BY ").append(column).append(upwards ? " ASC" : " DESC");
    sb.append(" LIMIT ?");
    args.add(limit + 1);
    return sb.toString();
  }

  /** Builds the response from the rows of {@link #sql}'s query (which fetched one extra). */
  public <T> ListResponse<T> respond(List<T> rows, Function<T, String> key) {
    boolean more = rows.size() > limit;
    List<T> data = new ArrayList<>(more ? rows.subList(0, limit) : rows);
    if (backwards()) {
      Collections.reverse(data);
    }
    if (data.isEmpty()) {
      return new ListResponse<>(List.of(), null, null, true);
    }
    String last = key.apply(data.get(data.size() - 1));
    String first = key.apply(data.get(0));
    boolean done = backwards() ? false : !more;
    return new ListResponse<>(List.copyOf(data), last, "-" + first, done);
  }

  /** Maps the items of a response, keeping its iterators. */
  public static <A, B> ListResponse<B> map(ListResponse<A> page, Function<A, B> f) {
    return new ListResponse<>(
        page.data().stream().map(f).toList(), page.iterator(), page.prevIterator(), page.done());
  }
}
