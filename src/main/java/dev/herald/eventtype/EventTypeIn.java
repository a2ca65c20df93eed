package dev.herald.eventtype;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Patch;
import dev.herald.web.Input;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Svix's {@code EventTypeIn}, and {@code EventTypeUpdate} (the same fields, the name taken from the
 * path). {@code schemas}, when given, is an object whose every value is an object (one JSON schema
 * per version).
 */
record EventTypeIn(
    String name,
    String description,
    boolean archived,
    boolean deprecated,
    String featureFlag,
    ObjectNode schemas) {

  /** Longest event-type name and feature flag: Svix's limit. */
  static final int MAX_NAME_LENGTH = 256;

  static final Input.Str NAME = Input.Str.idLike(MAX_NAME_LENGTH);

  /** Svix refuses these in descriptions (its {@code validate_no_control_characters}). */
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08]");

  /** Reads an {@code EventTypeIn}. */
  static EventTypeIn read(Input in) {
    return fields(in, in.requiredString("name", NAME));
  }

  /** Reads an {@code EventTypeUpdate} for the event type named {@code name} in the path. */
  static EventTypeIn readUpdate(Input in, String name) {
    return fields(in, name);
  }

  private static EventTypeIn fields(Input in, String name) {
    String description = in.requiredString("description", Input.Str.ANY);
    checkDescription(in, description);
    return new EventTypeIn(
        name,
        description,
        in.bool("archived", false),
        in.bool("deprecated", false),
        in.optionalString("featureFlag", NAME),
        checkSchemas(in, in.optionalObject("schemas")));
  }

  private static void checkDescription(Input in, String description) {
    if (description != null && CONTROL.matcher(description).find()) {
      in.error(
          List.of("description"), "Control characters 0x00-0x08 not allowed.", "illegal_character");
    }
  }

  /** Checks that every version's schema is an object; returns {@code schemas}. */
  private static ObjectNode checkSchemas(Input in, ObjectNode schemas) {
    if (schemas == null) {
      return null;
    }
    Iterator<Map.Entry<String, JsonNode>> it = schemas.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isObject()) {
        in.error(List.of("schemas", e.getKey()), "value is not a valid dict", "type_error.dict");
      }
    }
    return schemas;
  }

  /**
   * Svix's {@code EventTypePatch}: absent fields stay; {@code featureFlag}, {@code schemas} may be
   * null.
   */
  record PatchIn(
      Patch<String> description,
      Patch<Boolean> archived,
      Patch<Boolean> deprecated,
      Patch<String> featureFlag,
      Patch<ObjectNode> schemas) {

    static PatchIn read(Input in) {
      Patch<String> description = in.patchString("description", Input.Str.ANY, false);
      if (description instanceof Patch.Present<String> p) {
        checkDescription(in, p.value());
      }
      Patch<ObjectNode> schemas =
          in.has("schemas")
              ? Patch.of(checkSchemas(in, in.optionalObject("schemas")))
              : Patch.absent();
      return new PatchIn(
          description,
          in.patchBool("archived"),
          in.patchBool("deprecated"),
          in.patchString("featureFlag", NAME, true),
          schemas);
    }
  }
}
