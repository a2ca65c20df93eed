package dev.herald.ops;

import dev.herald.web.Access;
import dev.herald.web.Api;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/openapi.json}: Herald's OpenAPI document, shipped as a resource. It lists
 * exactly the operations Herald registers (a test holds the two together), with Svix's shapes.
 */
public final class OpenApiRoutes {
  /** The document's resource path. */
  static final String RESOURCE = "/openapi.json";

  private final Api api;
  private final byte[] document;

  public OpenApiRoutes(Api api) {
    this.api = api;
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      this.document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void register() {
    api.get(
        "/api/v1/openapi.json",
        Access.PUBLIC,
        ctx -> ctx.status(200).contentType("application/json").result(document));
  }
}
