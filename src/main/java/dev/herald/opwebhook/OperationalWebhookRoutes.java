package dev.herald.opwebhook;

import dev.herald.endpoint.EndpointIn;
import dev.herald.endpoint.Headers;
import dev.herald.endpoint.RotateIn;
import dev.herald.web.Access;
import dev.herald.web.Api;
import dev.herald.web.Input;
import dev.herald.web.Page;
import io.javalin.http.Context;
import java.util.Map;

/**
 * Svix's hosted {@code /api/v1/operational-webhook/endpoint} resource: the endpoints that receive
 * an organisation's operational webhooks. Organisation tokens only; {@code {endpoint_id}} is an
 * {@code ep_} id or the endpoint's uid.
 */
public final class OperationalWebhookRoutes {
  static final String BASE = "/api/v1/operational-webhook/endpoint";
  static final String ONE = BASE + "/{endpoint_id}";

  private final Api api;
  private final OperationalWebhookService service;

  public OperationalWebhookRoutes(Api api, OperationalWebhookService service) {
    this.api = api;
    this.service = service;
  }

  private static String endpoint(Context ctx) {
    return ctx.pathParam("endpoint_id");
  }

  public void register() {
    api.get(
        BASE,
        Access.ORG,
        ctx -> api.respond(ctx, 200, service.list(Api.scope(ctx), Page.from(ctx, false))));
    api.post(
        BASE,
        Access.ORG,
        ctx -> {
          Input in = api.input(ctx);
          EndpointIn body = EndpointIn.read(in, true);
          in.done();
          api.respond(ctx, 201, OperationalEndpointOut.of(service.create(Api.scope(ctx), body)));
        });
    api.get(
        ONE,
        Access.ORG,
        ctx ->
            api.respond(
                ctx, 200, OperationalEndpointOut.of(service.get(Api.scope(ctx), endpoint(ctx)))));
    api.put(
        ONE,
        Access.ORG,
        ctx -> {
          Input in = api.input(ctx);
          EndpointIn body = EndpointIn.read(in, false);
          in.done();
          api.respond(
              ctx,
              200,
              OperationalEndpointOut.of(service.upsert(Api.scope(ctx), endpoint(ctx), body)));
        });
    api.delete(
        ONE,
        Access.ORG,
        ctx -> {
          service.delete(Api.scope(ctx), endpoint(ctx));
          api.noContent(ctx);
        });
    registerHeadersAndSecret();
  }

  private void registerHeadersAndSecret() {
    api.get(
        ONE + "/headers",
        Access.ORG,
        ctx -> api.respond(ctx, 200, service.headers(Api.scope(ctx), endpoint(ctx))));
    api.put(
        ONE + "/headers",
        Access.ORG,
        ctx -> {
          Input in = api.input(ctx);
          Map<String, String> headers = Headers.readReplacement(in);
          in.done();
          service.writeHeaders(Api.scope(ctx), endpoint(ctx), headers);
          api.noContent(ctx);
        });
    api.get(
        ONE + "/secret",
        Access.ORG,
        ctx ->
            api.respond(
                ctx,
                200,
                new OperationalEndpointOut.SecretOut(
                    service.secret(Api.scope(ctx), endpoint(ctx)))));
    api.post(
        ONE + "/secret/rotate",
        Access.ORG,
        ctx -> {
          Input in = api.input(ctx);
          RotateIn body = RotateIn.read(in);
          in.done();
          service.rotate(Api.scope(ctx), endpoint(ctx), body);
          api.noContent(ctx);
        });
  }
}
