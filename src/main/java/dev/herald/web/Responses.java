package dev.herald.web;

import io.javalin.http.Context;

/** Writes JSON responses and remembers the bytes, so that idempotency can replay them. */
public final class Responses {
  /** Context attribute holding the body bytes of the response written so far. */
  static final String BODY_ATTRIBUTE = "herald.body";

  private Responses() {}

  public static void json(Context ctx, Json json, int status, Object body) {
    byte[] bytes = json.write(body);
    ctx.attribute(BODY_ATTRIBUTE, bytes);
    ctx.status(status).contentType("application/json").result(bytes);
  }

  public static void noContent(Context ctx) {
    ctx.attribute(BODY_ATTRIBUTE, new byte[0]);
    ctx.status(204);
  }
}
