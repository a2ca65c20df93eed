package dev.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import dev.herald.web.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document describes exactly the operations Herald serves. */
class OpenApiApiTest {
  @Test
  void openapi_document_lists_exactly_the_served_operations() throws Exception {
    try (TestHerald herald = TestHerald.start()) {
      TestHerald.Resp r = herald.call("GET", "/api/v1/openapi.json", null, Map.of());
      assertThat(r.status()).isEqualTo(200);
      JsonNode doc = new ObjectMapper().readTree(r.body());

      TreeSet<String> served = new TreeSet<>();
      for (Api.Route route : herald.herald().routes()) {
        served.add(route.method().toLowerCase(Locale.ROOT) + " " + route.path());
      }
      // The list the document was generated from, for whoever regenerates it.
      Files.writeString(Path.of("target", "herald-routes.txt"), String.join("\n", served) + "\n");

      TreeSet<String> documented = new TreeSet<>();
      Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
      while (paths.hasNext()) {
        Map.Entry<String, JsonNode> p = paths.next();
        p.getValue()
            .fieldNames()
            .forEachRemaining(
                m -> {
                  if (!m.equals("parameters")) {
                    documented.add(m + " " + p.getKey());
                  }
                });
      }
      assertThat(documented).containsExactlyElementsOf(served);
    }
  }

  @Test
  void every_schema_reference_resolves() throws Exception {
    try (TestHerald herald = TestHerald.start()) {
      JsonNode doc =
          new ObjectMapper()
              .readTree(herald.call("GET", "/api/v1/openapi.json", null, Map.of()).body());
      List<String> refs = new ArrayList<>();
      collect(doc, refs);
      assertThat(refs).isNotEmpty();
      for (String ref : refs) {
        String name = ref.substring("#/components/schemas/".length());
        assertThat(doc.path("components").path("schemas").has(name)).as(ref).isTrue();
      }
    }
  }

  static void collect(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                  out.add(e.getValue().textValue());
                } else {
                  collect(e.getValue(), out);
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, out));
    }
  }
}
