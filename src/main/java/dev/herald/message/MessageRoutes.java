package dev.herald.message;

import dev.herald.web.Access;
import dev.herald.web.Api;
import dev.herald.web.Input;
import dev.herald.web.Page;

/** Svix's Message resource under {@code /api/v1/app/{app_id}/msg}. */
public final class MessageRoutes {
  private final Api api;
  private final MessageService messages;

  public MessageRoutes(Api api, MessageService messages) {
    this.api = api;
    this.messages = messages;
  }

  public void register() {
    api.post(
        "/api/v1/app/{app_id}/msg",
        Access.ANY,
        ctx -> {
          boolean withContent = MessageQuery.withContent(ctx);
          Input in = api.input(ctx, MessageIn.RAW_FIELDS);
          MessageIn body = MessageIn.read(in, api.json());
          in.done();
          Message m = messages.create(Api.scope(ctx), ctx.pathParam("app_id"), body);
          api.respond(ctx, 202, MessageOut.of(m, withContent));
        });
    api.get(
        "/api/v1/app/{app_id}/msg",
        Access.ANY,
        ctx -> {
          boolean withContent = MessageQuery.withContent(ctx);
          MessageQuery q = MessageQuery.from(ctx);
          Page page = Page.from(ctx, true);
          var list = messages.list(Api.scope(ctx), ctx.pathParam("app_id"), q, page);
          api.respond(ctx, 200, Page.map(list, m -> MessageOut.of(m, withContent)));
        });
    api.get(
        "/api/v1/app/{app_id}/msg/{msg_id}",
        Access.ANY,
        ctx -> {
          boolean withContent = MessageQuery.withContent(ctx);
          Message m =
              messages.get(Api.scope(ctx), ctx.pathParam("app_id"), ctx.pathParam("msg_id"));
          api.respond(ctx, 200, MessageOut.of(m, withContent));
        });
    api.delete(
        "/api/v1/app/{app_id}/msg/{msg_id}/content",
        Access.ANY,
        ctx -> {
          messages.expunge(Api.scope(ctx), ctx.pathParam("app_id"), ctx.pathParam("msg_id"));
          api.noContent(ctx);
        });
  }
}
