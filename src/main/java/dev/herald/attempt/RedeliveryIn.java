package dev.herald.attempt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.web.Input;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The bodies of recover ({@code RecoverIn}), replay-missing ({@code ReplayIn}) and bulk-replay
 * ({@code BulkReplayIn}): a window {@code [since, until)} of message creation times in epoch
 * millis, and for bulk-replay the filters, which are null (or empty) when not given.
 */
record RedeliveryIn(
    long since,
    Long until,
    List<String> eventTypes,
    String channel,
    String tag,
    Integer status,
    AttemptQuery.CodeClass codeClass) {

  /** Most event types a bulk replay may filter by. */
  static final int MAX_EVENT_TYPES = 100;

  /** Reads a {@code RecoverIn} or {@code ReplayIn}. */
  static RedeliveryIn window(Input in) {
    Long since = time(in, "since", true);
    Long until = time(in, "until", false);
    check(in, since, until);
    return new RedeliveryIn(since == null ? 0 : since, until, List.of(), null, null, null, null);
  }

  /** Reads a {@code BulkReplayIn}. */
  static RedeliveryIn bulk(Input in) {
    RedeliveryIn w = window(in);
    List<String> eventTypes = in.stringSet("eventTypes", 0, MAX_EVENT_TYPES, Input.Str.idLike(256));
    String channel = in.optionalString("channel", AttemptQuery.CHANNEL);
    String tag = in.optionalString("tag", AttemptQuery.TAG);
    Integer status = in.optionalInt("status", 0, 4);
    Integer code = in.optionalInt("statusCodeClass", 0, 500);
    AttemptQuery.CodeClass codeClass = code == null ? null : AttemptQuery.CodeClass.of(code);
    if (code != null && codeClass == null) {
      in.error(
          List.of("statusCodeClass"),
          "value is not a valid enumeration member; permitted: 0, 100, 200, 300, 400, 500",
          "type_error.enum");
    }
    return new RedeliveryIn(
        w.since(),
        w.until(),
        eventTypes == null ? List.of() : eventTypes,
        channel,
        tag,
        status,
        codeClass);
  }

  private static void check(Input in, Long since, Long until) {
    if (since != null && until != null && until <= since) {
      in.error(List.of("until"), "until must be later than since", "value_error");
    }
  }

  private static Long time(Input in, String name, boolean required) {
    JsonNode v = in.node(name);
    if (v == null || v.isNull()) {
      if (required) {
        in.missing(name);
      }
      return null;
    }
    if (v.isTextual()) {
      try {
        return OffsetDateTime.parse(v.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
            .toInstant()
            .toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        // reported below
      }
    }
    in.error(List.of(name), "invalid datetime format", "value_error.datetime");
    return null;
  }

  /** Svix's {@code EventExampleIn}. */
  record ExampleIn(String eventType, int exampleIndex) {
    static ExampleIn read(Input in) {
      String eventType = in.requiredString("eventType", Input.Str.idLike(256));
      Integer index = in.optionalInt("exampleIndex", 0, Integer.MAX_VALUE);
      return new ExampleIn(eventType, index == null ? 0 : index);
    }
  }
}
