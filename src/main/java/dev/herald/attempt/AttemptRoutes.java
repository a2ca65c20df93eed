package dev.herald.attempt;

import dev.herald.message.MessageOut;
import dev.herald.web.Access;
import dev.herald.web.Api;
import dev.herald.web.Input;
import dev.herald.web.Page;
import dev.herald.web.QueryParams;
import io.javalin.http.Context;
import java.util.Map;

/**
 * Svix's attempt-log routes (open-source and Cloud): attempts, attempted messages and destinations,
 * one attempt and its expunge, resend, and the endpoint's recover, replays, stats and send-example.
 */
public final class AttemptRoutes {
  private static final String APP = "/api/v1/app/{app_id}";
  private static final String ENDPOINT = APP + "/endpoint/{endpoint_id}";
  private static final String ATTEMPT = APP + "/msg/{msg_id}/attempt/{attempt_id}";

  private final Api api;
  private final AttemptService attempts;
  private final Redelivery redelivery;

  public AttemptRoutes(Api api, AttemptService attempts, Redelivery redelivery) {
    this.api = api;
    this.attempts = attempts;
    this.redelivery = redelivery;
  }

  private static String app(Context ctx) {
    return ctx.pathParam("app_id");
  }

  public void register() {
    registerLists();
    registerOne();
    registerRedelivery();
  }

  private void registerLists() {
    api.get(
        APP + "/attempt/endpoint/{endpoint_id}",
        Access.ANY,
        ctx -> {
          boolean withContent = QueryParams.flag(ctx, "with_content", true);
          boolean withMsg = QueryParams.flag(ctx, "with_msg", false);
          AttemptQuery q = AttemptQuery.from(ctx);
          Page page = Page.from(ctx, true);
          var list =
              attempts.byEndpoint(
                  Api.scope(ctx),
                  app(ctx),
                  ctx.pathParam("endpoint_id"),
                  q,
                  page,
                  withContent,
                  withMsg);
          api.respond(ctx, 200, list);
        });
    api.get(
        APP + "/attempt/msg/{msg_id}",
        Access.ANY,
        ctx -> {
          boolean withContent = QueryParams.flag(ctx, "with_content", true);
          AttemptQuery q = AttemptQuery.from(ctx);
          Page page = Page.from(ctx, true);
          var list =
              attempts.byMessage(
                  Api.scope(ctx), app(ctx), ctx.pathParam("msg_id"), q, page, withContent);
          api.respond(ctx, 200, list);
        });
    api.get(
        ENDPOINT + "/msg",
        Access.ANY,
        ctx -> {
          boolean withContent = QueryParams.flag(ctx, "with_content", true);
          AttemptQuery q = AttemptQuery.from(ctx);
          Page page = Page.from(ctx, true);
          var list =
              attempts.attemptedMessages(
                  Api.scope(ctx), app(ctx), ctx.pathParam("endpoint_id"), q, page, withContent);
          api.respond(ctx, 200, list);
        });
    api.get(
        APP + "/msg/{msg_id}/endpoint",
        Access.ANY,
        ctx -> {
          Page page = Page.from(ctx, true);
          api.respond(
              ctx,
              200,
              attempts.destinations(Api.scope(ctx), app(ctx), ctx.pathParam("msg_id"), page));
        });
  }

  private void registerOne() {
    api.get(
        ATTEMPT,
        Access.ANY,
        ctx ->
            api.respond(
                ctx,
                200,
                attempts.get(
                    Api.scope(ctx),
                    app(ctx),
                    ctx.pathParam("msg_id"),
                    ctx.pathParam("attempt_id"))));
    api.delete(
        ATTEMPT + "/content",
        Access.ORG,
        ctx -> {
          attempts.expunge(
              Api.scope(ctx), app(ctx), ctx.pathParam("msg_id"), ctx.pathParam("attempt_id"));
          api.noContent(ctx);
        });
    api.get(
        ENDPOINT + "/stats",
        Access.ANY,
        ctx -> {
          Long since = QueryParams.time(ctx, "since");
          Long until = QueryParams.time(ctx, "until");
          api.respond(
              ctx,
              200,
              attempts.stats(Api.scope(ctx), app(ctx), ctx.pathParam("endpoint_id"), since, until));
        });
  }

  private void registerRedelivery() {
    api.post(
        APP + "/msg/{msg_id}/endpoint/{endpoint_id}/resend",
        Access.ANY,
        ctx -> {
          redelivery.resend(
              Api.scope(ctx), app(ctx), ctx.pathParam("msg_id"), ctx.pathParam("endpoint_id"));
          api.respond(ctx, 202, Map.of());
        });
    api.post(
        ENDPOINT + "/recover",
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          RedeliveryIn body = RedeliveryIn.window(in);
          in.done();
          api.respond(
              ctx,
              202,
              redelivery.recover(Api.scope(ctx), app(ctx), ctx.pathParam("endpoint_id"), body));
        });
    api.post(
        ENDPOINT + "/replay-missing",
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          RedeliveryIn body = RedeliveryIn.window(in);
          in.done();
          api.respond(
              ctx,
              202,
              redelivery.replayMissing(
                  Api.scope(ctx), app(ctx), ctx.pathParam("endpoint_id"), body));
        });
    api.post(
        ENDPOINT + "/bulk-replay",
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          RedeliveryIn body = RedeliveryIn.bulk(in);
          in.done();
          api.respond(
              ctx,
              202,
              redelivery.bulkReplay(Api.scope(ctx), app(ctx), ctx.pathParam("endpoint_id"), body));
        });
    api.post(
        ENDPOINT + "/send-example",
        Access.ANY,
        ctx -> {
          Input in = api.input(ctx);
          RedeliveryIn.ExampleIn body = RedeliveryIn.ExampleIn.read(in);
          in.done();
          var m =
              redelivery.sendExample(Api.scope(ctx), app(ctx), ctx.pathParam("endpoint_id"), body);
          api.respond(ctx, 200, MessageOut.of(m, true));
        });
  }
}
