package dev.herald.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.web.Input;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The extra HTTP headers an endpoint's deliveries carry. Names are HTTP tokens, compared without
 * case; Svix's reserved names and prefixes are refused (they would break or forge the delivery),
 * and values may not hold control characters (no header injection). Sensitive values are never
 * shown again: a GET lists their names under {@code sensitive}.
 */
public final class Headers {
  /** Longest header value, in characters (Svix: 4096 bytes). */
  static final int MAX_VALUE_LENGTH = 4096;

  /** Longest header name, in characters. */
  static final int MAX_NAME_LENGTH = 256;

  /** Names Svix refuses, plus the hop-by-hop and framing ones Herald sets itself. */
  static final Set<String> FORBIDDEN =
      Set.of(
          "host",
          "connection",
          "user-agent",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "trailers",
          "transfer-encoding",
          "upgrade",
          "age",
          "cache-control",
          "clear-site-data",
          "expires",
          "pragma",
          "warning",
          "content-length",
          "content-type",
          "content-encoding",
          "content-language",
          "content-location");

  /** Name prefixes Svix refuses; {@code webhook-} carries Standard Webhooks' signature. */
  static final List<String> FORBIDDEN_PREFIXES =
      List.of(
          "x-amz-",
          "x-amzn-",
          "x-google",
          "x-goog-",
          "x-gfe",
          "x-azure-",
          "x-fd-",
          "x-svix-",
          "svix-",
          "webhook-");

  /** Names whose values a GET leaves out. */
  static final Set<String> SENSITIVE =
      Set.of(
          "authorization",
          "proxy-authorization",
          "www-authenticate",
          "proxy-authenticate",
          "x-auth-token",
          "x-api-key");

  /** Svix's {@code EndpointHeadersOut}. */
  public record Out(Map<String, String> headers, List<String> sensitive) {}

  private Headers() {}

  /** The headers to show: sensitive ones (e.g. {@code Authorization}) are named, not shown. */
  public static Out redacted(Map<String, String> headers) {
    Map<String, String> shown = new LinkedHashMap<>();
    List<String> hidden = new ArrayList<>();
    headers.forEach(
        (k, v) -> {
          if (SENSITIVE.contains(k.toLowerCase(Locale.ROOT))) {
            hidden.add(k);
          } else {
            shown.put(k, v);
          }
        });
    return new Out(shown, hidden);
  }

  /** Svix's {@code EndpointHeadersIn}: the required {@code headers} object, replacing all. */
  public static Map<String, String> readReplacement(Input in) {
    Map<String, String> headers = read(in, "headers", false);
    if (headers == null && (in.node("headers") == null || in.isNull("headers"))) {
      in.missing("headers");
    }
    return headers;
  }

  /**
   * The header map in field {@code name}: an object of strings, or, when {@code nullValues}, of
   * strings and nulls (a null asks to remove that header). Null when absent or null; errors are
   * recorded in {@code in}.
   */
  static Map<String, String> read(Input in, String name, boolean nullValues) {
    JsonNode v = in.node(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      in.error(List.of(name), "value is not a valid dict", "type_error.dict");
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = v.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      List<String> loc = List.of(name, e.getKey());
      String problem = nameProblem(e.getKey());
      if (problem != null) {
        in.error(loc, problem, "value_error.header");
      }
      JsonNode value = e.getValue();
      if (value.isNull() && nullValues) {
        out.put(e.getKey(), null);
      } else if (!value.isTextual()) {
        in.error(loc, "str type expected", "type_error.str");
      } else if (value.textValue().length() > MAX_VALUE_LENGTH) {
        in.error(loc, "Maximum header length is " + MAX_VALUE_LENGTH, "value_error.header");
      } else if (!validValue(value.textValue())) {
        in.error(loc, "Invalid Header Value.", "value_error.header");
      } else {
        out.put(e.getKey(), value.textValue());
      }
    }
    return out;
  }

  /** Why {@code name} cannot be an endpoint header, or null when it can. */
  static String nameProblem(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !isToken(name)) {
      return "Invalid Header Name.";
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (FORBIDDEN.contains(lower)) {
      return "Header uses a forbidden key.";
    }
    for (String p : FORBIDDEN_PREFIXES) {
      if (lower.startsWith(p)) {
        return "Header starts with a forbidden prefix.";
      }
    }
    return null;
  }

  /** RFC 9110 token: visible ASCII except delimiters. */
  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** No control characters other than horizontal tab (so no CR or LF), no DEL. */
  private static boolean validValue(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code current} with {@code changes} applied: a null value removes the header; names match
   * without case, and a new value takes the name as written in {@code changes}.
   */
  static Map<String, String> apply(Map<String, String> current, Map<String, String> changes) {
    Map<String, String> out = new LinkedHashMap<>(current);
    changes.forEach(
        (k, v) -> {
          out.keySet().removeIf(existing -> existing.equalsIgnoreCase(k));
          if (v != null) {
            out.put(k, v);
          }
        });
    return out;
  }
}
