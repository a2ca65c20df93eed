package dev.herald.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.HeraldError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one JSON mapper, with every read bounded: nesting depth, document size, string, number and
 * name lengths. A body that breaks a bound is refused like malformed JSON; it never reaches the
 * heap whole.
 */
public final class Json {
  /** Deepest nesting accepted in any request body. */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Longest number literal accepted, in characters. */
  public static final int MAX_NUMBER_LENGTH = 100;

  /** Longest object key accepted, in characters. */
  public static final int MAX_NAME_LENGTH = 1024;

  /**
   * Jackson's buffer sets kept for reuse at most; one more parse or write at once allocates its
   * own. Jackson's default pool keeps one per thread, which virtual threads (one per request)
   * defeat: every parse and write allocated 8 KB and 4 KB buffers afresh.
   */
  static final int RECYCLED_BUFFER_SETS = 64;

  private final ObjectMapper mapper;

  public Json(long maxDocumentBytes) {
    StreamReadConstraints limits =
        StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxNameLength(MAX_NAME_LENGTH)
            .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxDocumentBytes))
            .maxDocumentLength(maxDocumentBytes)
            .build();
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(limits)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .recyclerPool(JsonRecyclerPools.newBoundedPool(RECYCLED_BUFFER_SETS))
            .build();
    this.mapper =
        JsonMapper.builder(factory)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** A parsed body: the tree, and the source text of fields kept out of it. */
  public record Parsed(JsonNode tree, Map<String, String> raw) {}

  /**
   * Parses a request body, keeping the top-level fields named in {@code rawFields} out of the tree:
   * their syntax is checked while streaming past them and only their source text is kept. A large
   * payload thus costs its bytes once, not a tree of nodes. Malformed or out-of-bounds JSON is a
   * 400.
   */
  public Parsed parse(byte[] body, Set<String> rawFields) {
    if (rawFields.isEmpty()) {
      return new Parsed(parse(body), Map.of());
    }
    try (JsonParser p = mapper.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new HeraldError.BadRequest("invalid_json", "The request body is empty.");
      }
      if (first != JsonToken.START_OBJECT) {
        JsonNode node = mapper.readTree(p);
        requireEnd(p);
        return new Parsed(node, Map.of());
      }
      ObjectNode tree = mapper.createObjectNode();
      Map<String, String> raw = new HashMap<>();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (rawFields.contains(field)) {
          int start = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          int end = (int) p.currentLocation().getByteOffset();
          raw.put(field, new String(body, start, end - start, StandardCharsets.UTF_8));
        } else {
          tree.set(field, mapper.readTree(p));
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw new HeraldError.BadRequest("invalid_json", "Malformed JSON: unterminated object");
      }
      requireEnd(p);
      return new Parsed(tree, Map.copyOf(raw));
    } catch (StreamConstraintsException e) {
      throw new HeraldError.BadRequest("invalid_json", "JSON exceeds a limit: " + e.getMessage());
    } catch (IOException e) {
      throw new HeraldError.BadRequest("invalid_json", "Malformed JSON: " + firstLine(e));
    }
  }

  private static void requireEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new HeraldError.BadRequest(
          "invalid_json", "Malformed JSON: trailing content after the document");
    }
  }

  /** Parses a request body; malformed or out-of-bounds JSON is a 400. */
  public JsonNode parse(byte[] body) {
    try {
      JsonNode node = mapper.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw new HeraldError.BadRequest("invalid_json", "The request body is empty.");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw new HeraldError.BadRequest("invalid_json", "JSON exceeds a limit: " + e.getMessage());
    } catch (IOException e) {
      throw new HeraldError.BadRequest("invalid_json", "Malformed JSON: " + firstLine(e));
    }
  }

  /**
   * Checks that {@code text} is one JSON object, reading tokens without building a tree. Returns an
   * error message, or null when it is valid.
   */
  public String checkObject(String text) {
    try (JsonParser p = mapper.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return "must be a JSON object";
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        return "has trailing content after the JSON object";
      }
      return null;
    } catch (IOException e) {
      return "is not valid JSON: " + firstLine(e);
    }
  }

  /**
   * The exact source text of top-level field {@code name} of the JSON object {@code body}, or null
   * when absent. Streams over the document without building a tree, so the bytes a client sent can
   * be stored and delivered unchanged.
   */
  public String rawField(byte[] body, String name) {
    try (JsonParser p = mapper.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals(name)) {
          int start = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          int end = (int) p.currentLocation().getByteOffset();
          return new String(body, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  public byte[] write(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String writeString(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public <T> T read(String text, Class<T> type) {
    try {
      return mapper.readValue(text, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public <T> T read(String text, com.fasterxml.jackson.core.type.TypeReference<T> type) {
    try {
      return mapper.readValue(text, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String firstLine(IOException e) {
    String m =
        e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
            ? jpe.getOriginalMessage()
            : e.getMessage();
    if (m == null) {
      return "unreadable";
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
