package dev.herald.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.HeraldError;
import dev.herald.core.Patch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A request body being validated field by field. Each getter records what is wrong with its field
 * and returns a harmless value; {@link #done()} then throws one 422 listing every error, in Svix's
 * shape ({@code {"detail":[{"loc":["body","name"],"msg":…,"type":…}]}}). Unknown fields are
 * ignored, as Svix does.
 */
public final class Input {
  /** Svix's pattern for uids, event-type names, channels and flags. */
  public static final Pattern ID_LIKE = Pattern.compile("^[a-zA-Z0-9\\-_.]+$");

  private final JsonNode root;
  private final List<String> prefix;
  private final List<HeraldError.FieldError> errors;
  private final RawSource source;

  /**
   * The request's bytes, for {@link #raw}, and the source text of fields parsed raw (kept out of
   * the tree); absent on nested objects.
   */
  record RawSource(Json json, byte[] bytes, Map<String, String> rawFields) {}

  private Input(
      JsonNode root, List<String> prefix, List<HeraldError.FieldError> errors, RawSource source) {
    this.root = root;
    this.prefix = prefix;
    this.errors = errors;
    this.source = source;
  }

  /** Validates {@code body}, which must be a JSON object. */
  public static Input of(JsonNode body) {
    return of(body, null);
  }

  static Input of(JsonNode body, RawSource source) {
    Input in = new Input(body, List.of("body"), new ArrayList<>(), source);
    if (!body.isObject()) {
      in.error(List.of(), "value is not a valid dict", "type_error.dict");
    }
    return in;
  }

  /** A nested object, validated into the same error list; null when absent or null. */
  public Input object(String name) {
    JsonNode v = root.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      error(List.of(name), "value is not a valid dict", "type_error.dict");
      return null;
    }
    List<String> p = new ArrayList<>(prefix);
    p.add(name);
    return new Input(v, List.copyOf(p), errors, null);
  }

  /**
   * The exact text the client sent for top-level field {@code name} (whitespace, key order and
   * number spelling kept), or null when absent or when this input has no source bytes.
   */
  public String raw(String name) {
    if (source == null) {
      return null;
    }
    String kept = source.rawFields().get(name);
    if (kept != null) {
      return kept;
    }
    return root.isObject() && root.has(name) ? source.json().rawField(source.bytes(), name) : null;
  }

  public boolean has(String name) {
    return root.isObject() && root.has(name)
        || source != null && source.rawFields().containsKey(name);
  }

  /** True when the field is present and null. */
  public boolean isNull(String name) {
    JsonNode v = root.get(name);
    return v != null && v.isNull();
  }

  /** The raw node of a field, or null. */
  public JsonNode node(String name) {
    return root.isObject() ? root.get(name) : null;
  }

  // ---- strings

  /** Rules for a string field. */
  public record Str(int minLength, int maxLength, Pattern pattern) {
    public static final Str ANY = new Str(0, Integer.MAX_VALUE, null);
    public static final Str NON_EMPTY = new Str(1, Integer.MAX_VALUE, null);

    public static Str idLike(int maxLength) {
      return new Str(1, maxLength, ID_LIKE);
    }
  }

  public String requiredString(String name, Str rule) {
    JsonNode v = node(name);
    if (v == null || v.isNull()) {
      missing(name);
      return null;
    }
    return checkString(name, v, rule);
  }

  /** A nullable string: null when absent or null. */
  public String optionalString(String name, Str rule) {
    JsonNode v = node(name);
    if (v == null || v.isNull()) {
      return null;
    }
    return checkString(name, v, rule);
  }

  public Patch<String> patchString(String name, Str rule, boolean nullable) {
    if (!has(name)) {
      return Patch.absent();
    }
    JsonNode v = node(name);
    if (v.isNull()) {
      if (!nullable) {
        error(List.of(name), "none is not an allowed value", "type_error.none.not_allowed");
      }
      return Patch.of(null);
    }
    return Patch.of(checkString(name, v, rule));
  }

  private String checkString(String name, JsonNode v, Str rule) {
    return checkString(List.of(name), v, rule);
  }

  private String checkString(List<String> loc, JsonNode v, Str rule) {
    if (!v.isTextual()) {
      error(loc, "str type expected", "type_error.str");
      return null;
    }
    String s = v.textValue();
    int len = s.codePointCount(0, s.length());
    if (len < rule.minLength()) {
      error(
          loc,
          "ensure this value has at least " + rule.minLength() + " characters",
          "value_error.any_str.min_length");
    } else if (len > rule.maxLength()) {
      error(
          loc,
          "ensure this value has at most " + rule.maxLength() + " characters",
          "value_error.any_str.max_length");
    } else if (rule.pattern() != null && !rule.pattern().matcher(s).matches()) {
      error(
          loc,
          "string does not match regex \"" + rule.pattern().pattern() + "\"",
          "value_error.str.regex");
    }
    return s;
  }

  // ---- numbers and booleans

  public Integer optionalInt(String name, long min, long max) {
    JsonNode v = node(name);
    if (v == null || v.isNull()) {
      return null;
    }
    return checkInt(name, v, min, max);
  }

  public Patch<Integer> patchInt(String name, long min, long max) {
    if (!has(name)) {
      return Patch.absent();
    }
    JsonNode v = node(name);
    return Patch.of(v.isNull() ? null : checkInt(name, v, min, max));
  }

  private Integer checkInt(String name, JsonNode v, long min, long max) {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      error(List.of(name), "value is not a valid integer", "type_error.integer");
      return null;
    }
    long n = v.longValue();
    if (n < min) {
      error(
          List.of(name),
          "ensure this value is greater than or equal to " + min,
          "value_error.number.not_ge");
      return null;
    }
    if (n > max) {
      error(
          List.of(name),
          "ensure this value is less than or equal to " + max,
          "value_error.number.not_le");
      return null;
    }
    return (int) n;
  }

  public boolean bool(String name, boolean absent) {
    JsonNode v = node(name);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isBoolean()) {
      error(List.of(name), "value could not be parsed to a boolean", "type_error.bool");
      return absent;
    }
    return v.booleanValue();
  }

  public Patch<Boolean> patchBool(String name) {
    if (!has(name)) {
      return Patch.absent();
    }
    JsonNode v = node(name);
    if (!v.isBoolean()) {
      error(List.of(name), "value could not be parsed to a boolean", "type_error.bool");
      return Patch.absent();
    }
    return Patch.of(v.booleanValue());
  }

  // ---- collections

  /** A string→string map; empty when absent or null. */
  public Map<String, String> stringMap(String name) {
    JsonNode v = node(name);
    if (v == null || v.isNull()) {
      return Map.of();
    }
    return checkStringMap(name, v);
  }

  public Patch<Map<String, String>> patchStringMap(String name) {
    if (!has(name)) {
      return Patch.absent();
    }
    JsonNode v = node(name);
    return Patch.of(v.isNull() ? Map.of() : checkStringMap(name, v));
  }

  private Map<String, String> checkStringMap(String name, JsonNode v) {
    if (!v.isObject()) {
      error(List.of(name), "value is not a valid dict", "type_error.dict");
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = v.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        error(List.of(name, e.getKey()), "str type expected", "type_error.str");
      } else {
        out.put(e.getKey(), e.getValue().textValue());
      }
    }
    return out;
  }

  /** A nullable set of strings kept in order; null when absent or null. */
  public List<String> stringSet(String name, int minItems, int maxItems, Str itemRule) {
    JsonNode v = node(name);
    if (v == null || v.isNull()) {
      return null;
    }
    return checkStringSet(name, v, minItems, maxItems, itemRule);
  }

  public Patch<List<String>> patchStringSet(String name, int minItems, int maxItems, Str itemRule) {
    if (!has(name)) {
      return Patch.absent();
    }
    JsonNode v = node(name);
    return Patch.of(v.isNull() ? null : checkStringSet(name, v, minItems, maxItems, itemRule));
  }

  private List<String> checkStringSet(
      String name, JsonNode v, int minItems, int maxItems, Str itemRule) {
    if (!v.isArray()) {
      error(List.of(name), "value is not a valid list", "type_error.list");
      return null;
    }
    if (v.size() < minItems) {
      error(
          List.of(name),
          "ensure this value has at least " + minItems + " items",
          "value_error.list.min_items");
    }
    if (v.size() > maxItems) {
      error(
          List.of(name),
          "ensure this value has at most " + maxItems + " items",
          "value_error.list.max_items");
      return null;
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (int i = 0; i < v.size(); i++) {
      String s = checkString(List.of(name, Integer.toString(i)), v.get(i), itemRule);
      if (s != null && !out.add(s)) {
        error(List.of(name), "the list has duplicated items", "value_error.list.unique_items");
      }
    }
    return List.copyOf(out);
  }

  /** A JSON object field kept as a tree (schemas, payloads); null when absent or null. */
  public ObjectNode optionalObject(String name) {
    JsonNode v = node(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      error(List.of(name), "value is not a valid dict", "type_error.dict");
      return null;
    }
    return (ObjectNode) v;
  }

  // ---- errors

  public void missing(String name) {
    error(List.of(name), "field required", "value_error.missing");
  }

  /** Records an error at {@code loc}, relative to this object. */
  public void error(List<String> loc, String msg, String type) {
    List<String> full = new ArrayList<>(prefix);
    full.addAll(loc);
    errors.add(new HeraldError.FieldError(List.copyOf(full), msg, type));
  }

  /** Throws a 422 listing every error found so far, if any. */
  public void done() {
    if (!errors.isEmpty()) {
      throw new HeraldError.Invalid(errors);
    }
  }
}
