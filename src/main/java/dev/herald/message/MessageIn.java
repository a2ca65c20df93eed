package dev.herald.message;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.app.AppIn;
import dev.herald.web.Input;
import dev.herald.web.Json;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Svix's {@code MessageIn}. {@code payload} is the JSON object text to store and deliver: the
 * string in {@code transformationsParams.rawPayload} when there is one (what the Java SDK sends,
 * kept byte for byte), else the {@code payload} object exactly as it was sent. {@code application}
 * creates the app named in the path when it does not exist; it is null otherwise.
 */
record MessageIn(
    String eventType,
    String eventId,
    List<String> channels,
    List<String> tags,
    String payload,
    Duration retention,
    AppIn application) {

  /** Most channels on one message (Svix's open-source limit). */
  static final int MAX_CHANNELS = 5;

  /** Most tags on one message. */
  static final int MAX_TAGS = 5;

  /** Payload retention in days when none is given, and its bounds. */
  static final int DEFAULT_RETENTION_DAYS = 90;

  static final int MIN_RETENTION_DAYS = 5;

  static final int MAX_RETENTION_DAYS = 90;

  /** Fields read as source text, never built into a tree. */
  static final java.util.Set<String> RAW_FIELDS = java.util.Set.of("payload");

  /** Svix Cloud's {@code payloadRetentionHours} bound: 90 days. */
  static final int MAX_RETENTION_HOURS = 2160;

  /** Svix Cloud's pattern for tags. */
  static final Pattern TAG = Pattern.compile("^[a-zA-Z0-9\\-_./\\\\#]+$");

  static final Input.Str EVENT_TYPE = Input.Str.idLike(256);
  static final Input.Str CHANNEL = Input.Str.idLike(128);
  static final Input.Str TAG_RULE = new Input.Str(1, 128, TAG);

  /** Reads a {@code MessageIn}; errors are collected in {@code in}. */
  static MessageIn read(Input in, Json json) {
    String eventType = in.requiredString("eventType", EVENT_TYPE);
    String eventId = in.optionalString("eventId", Input.Str.idLike(256));
    List<String> channels = in.stringSet("channels", 1, MAX_CHANNELS, CHANNEL);
    List<String> tags = in.stringSet("tags", 0, MAX_TAGS, TAG_RULE);
    String payload = payload(in, json);
    Duration retention = retention(in);
    Input app = in.object("application");
    AppIn application = app == null ? null : AppIn.read(app);
    return new MessageIn(
        eventType,
        eventId,
        channels,
        tags == null || tags.isEmpty() ? null : tags,
        payload,
        retention,
        application);
  }

  private static String payload(Input in, Json json) {
    Input params = in.object("transformationsParams");
    JsonNode raw = params == null ? null : params.node("rawPayload");
    if (raw != null && !raw.isNull()) {
      if (!raw.isTextual()) {
        params.error(List.of("rawPayload"), "str type expected", "type_error.str");
        return null;
      }
      String problem = json.checkObject(raw.textValue());
      if (problem != null) {
        params.error(List.of("rawPayload"), "rawPayload " + problem, "value_error.json");
        return null;
      }
      return raw.textValue();
    }
    // The payload is parsed raw (MessageRoutes asks for it): its syntax was checked while
    // streaming, and its exact text is what is stored, signed and delivered.
    String exact = in.raw("payload");
    if (exact == null || exact.equals("null")) {
      in.missing("payload");
      return null;
    }
    if (!exact.startsWith("{")) {
      in.error(List.of("payload"), "value is not a valid dict", "type_error.dict");
      return null;
    }
    return exact;
  }

  private static Duration retention(Input in) {
    Integer days = in.optionalInt("payloadRetentionPeriod", MIN_RETENTION_DAYS, MAX_RETENTION_DAYS);
    Integer hours = in.optionalInt("payloadRetentionHours", 1, MAX_RETENTION_HOURS);
    if (days != null && hours != null) {
      in.error(
          List.of("payloadRetentionHours"),
          "payloadRetentionPeriod and payloadRetentionHours are mutually exclusive",
          "value_error");
    }
    if (hours != null) {
      return Duration.ofHours(hours);
    }
    return Duration.ofDays(days != null ? days : DEFAULT_RETENTION_DAYS);
  }
}
