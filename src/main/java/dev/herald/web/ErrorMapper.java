package dev.herald.web;

import dev.herald.core.HeraldError;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that knows HTTP statuses and Svix's error bodies: {@code {"code","detail"}}, or
 * {@code {"detail":[{loc,msg,type}]}} for 422. Anything that is not a {@link HeraldError} is
 * internal: logged with its cause and answered with a bare 500.
 */
public final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  private final Json json;

  ErrorMapper(Json json) {
    this.json = json;
  }

  /** The HTTP status of {@code e}. */
  public static int status(HeraldError e) {
    return switch (e) {
      case HeraldError.NotFound n -> 404;
      case HeraldError.Conflict c -> 409;
      case HeraldError.BadRequest b -> 400;
      case HeraldError.Invalid i -> 422;
      case HeraldError.TooLarge t -> 413;
      case HeraldError.Timeout t -> 408;
      case HeraldError.Overloaded o -> o.status();
      case HeraldError.Unauthorized u -> 401;
      case HeraldError.Forbidden f -> 403;
      case HeraldError.NotImplemented n -> 501;
    };
  }

  void handle(HeraldError e, Context ctx) {
    Object body;
    if (e instanceof HeraldError.Invalid invalid) {
      List<Map<String, Object>> detail =
          invalid.errors().stream()
              .map(
                  f -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("loc", f.loc());
                    m.put("msg", f.msg());
                    m.put("type", f.type());
                    return m;
                  })
              .toList();
      body = Map.of("detail", detail);
    } else {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("code", e.code());
      m.put("detail", e.detail());
      body = m;
    }
    if (e instanceof HeraldError.Overloaded o) {
      ctx.header("Retry-After", Long.toString(Math.max(1, o.retryAfter().toSeconds())));
    }
    if (e instanceof HeraldError.TooLarge || e instanceof HeraldError.Timeout) {
      ctx.header("Connection", "close");
    }
    Responses.json(ctx, json, status(e), body);
  }

  void internal(Exception e, Context ctx) {
    LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
    Responses.json(
        ctx, json, 500, Map.of("code", "server_error", "detail", "Internal server error."));
  }
}
