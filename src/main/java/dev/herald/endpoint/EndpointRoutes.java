package dev.herald.endpoint;

import dev.herald.web.Access;
import dev.herald.web.Api;
import dev.herald.web.Input;
import dev.herald.web.Page;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Svix's Endpoint resource under {@code /api/v1/app/{app_id}/endpoint}. Organisation tokens and the
 * application's own app token may call every route; {@code {endpoint_id}} is an {@code ep_} id or
 * the endpoint's uid.
 */
public final class EndpointRoutes {
  static final String BASE = "/api/v1/app/{app_id}/endpoint";
  static final String ONE = BASE + "/{endpoint_id}";

  private final Api api;
  private final EndpointService endpoints;

  public EndpointRoutes(Api api, EndpointService endpoints) {
    this.api = api;
    this.endpoints = endpoints;
  }

  private static String app(Context ctx) {
    return ctx.pathParam("app_id");
  }

  private static String endpoint(Context ctx) {
    return ctx.pathParam("endpoint_id");
  }

  public void register() {
    api.get(
        BASE,
        Access.ANY,
        ctx ->
            api.respond(ctx, 200, endpoints.list(Api.scope(ctx), app(ctx), Page.from(ctx, false))));
    api.post(
        BASE,
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          EndpointIn body = EndpointIn.read(in, true);
          in.done();
          api.respond(ctx, 201, EndpointOut.of(endpoints.create(Api.scope(ctx), app(ctx), body)));
        });
    api.get(
        ONE,
        Access.ANY,
        ctx ->
            api.respond(
                ctx, 200, EndpointOut.of(endpoints.get(Api.scope(ctx), app(ctx), endpoint(ctx)))));
    api.put(
        ONE,
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          EndpointIn body = EndpointIn.read(in, false);
          in.done();
          EndpointService.Saved saved =
              endpoints.upsert(Api.scope(ctx), app(ctx), endpoint(ctx), body);
          api.respond(ctx, saved.created() ? 201 : 200, EndpointOut.of(saved.endpoint()));
        });
    api.patch(
        ONE,
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          EndpointIn.PatchIn body = EndpointIn.PatchIn.read(in);
          in.done();
          api.respond(
              ctx,
              200,
              EndpointOut.of(endpoints.patch(Api.scope(ctx), app(ctx), endpoint(ctx), body)));
        });
    api.delete(
        ONE,
        Access.ANY,
        ctx -> {
          endpoints.delete(Api.scope(ctx), app(ctx), endpoint(ctx));
          api.noContent(ctx);
        });
    registerHeaders();
    registerSecret();
  }

  private void registerHeaders() {
    api.get(
        ONE + "/headers",
        Access.ANY,
        ctx -> api.respond(ctx, 200, endpoints.headers(Api.scope(ctx), app(ctx), endpoint(ctx))));
    api.put(
        ONE + "/headers",
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          Map<String, String> headers = Headers.readReplacement(in);
          in.done();
          endpoints.writeHeaders(Api.scope(ctx), app(ctx), endpoint(ctx), headers, true);
          api.noContent(ctx);
        });
    api.patch(
        ONE + "/headers",
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          Map<String, String> changes = patchHeaders(in);
          in.done();
          endpoints.writeHeaders(Api.scope(ctx), app(ctx), endpoint(ctx), changes, false);
          api.noContent(ctx);
        });
  }

  /** Svix's {@code EndpointHeadersPatchIn}: a null value, or a name in deleteHeaders, removes. */
  private static Map<String, String> patchHeaders(Input in) {
    Map<String, String> headers = Headers.read(in, "headers", true);
    List<String> delete = in.stringSet("deleteHeaders", 0, Integer.MAX_VALUE, Input.Str.NON_EMPTY);
    boolean noHeaders = in.node("headers") == null || in.isNull("headers");
    if (noHeaders && delete == null) {
      in.missing("headers");
    }
    Map<String, String> changes = new LinkedHashMap<>(headers == null ? Map.of() : headers);
    if (delete != null) {
      delete.forEach(name -> changes.put(name, null));
    }
    return changes;
  }

  private void registerSecret() {
    api.get(
        ONE + "/secret",
        Access.ANY,
        ctx ->
            api.respond(
                ctx,
                200,
                new EndpointOut.SecretOut(
                    endpoints.secret(Api.scope(ctx), app(ctx), endpoint(ctx)))));
    api.post(
        ONE + "/secret/rotate",
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          RotateIn body = RotateIn.read(in);
          in.done();
          endpoints.rotate(Api.scope(ctx), app(ctx), endpoint(ctx), body.key(), body.grace());
          api.noContent(ctx);
        });
  }
}
