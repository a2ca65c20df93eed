package dev.herald.app;

import dev.herald.web.Access;
import dev.herald.web.Api;
import dev.herald.web.Input;
import dev.herald.web.Page;

/** Svix's Application resource under {@code /api/v1/app}. */
public final class AppRoutes {
  private final Api api;
  private final AppService apps;

  public AppRoutes(Api api, AppService apps) {
    this.api = api;
    this.apps = apps;
  }

  public void register() {
    api.get(
        "/api/v1/app",
        Access.ORG,
        ctx -> api.respond(ctx, 200, apps.list(Api.scope(ctx), Page.from(ctx, false))));
    api.post(
        "/api/v1/app",
        Access.ORG,
        ctx -> {
          boolean getIfExists = "true".equalsIgnoreCase(ctx.queryParam("get_if_exists"));
          Input in = api.input(ctx);
          AppIn body = AppIn.read(in);
          in.done();
          AppService.Saved saved = apps.create(Api.scope(ctx), body, getIfExists);
          api.respond(ctx, saved.created() ? 201 : 200, AppOut.of(saved.app()));
        });
    api.get(
        "/api/v1/app/{app_id}",
        Access.ANY,
        ctx -> api.respond(ctx, 200, AppOut.of(apps.get(Api.scope(ctx), ctx.pathParam("app_id")))));
    api.put(
        "/api/v1/app/{app_id}",
        Access.ORG,
        ctx -> {
          Input in = api.input(ctx);
          AppIn body = AppIn.read(in);
          in.done();
          AppService.Saved saved = apps.upsert(Api.scope(ctx), ctx.pathParam("app_id"), body);
          api.respond(ctx, saved.created() ? 201 : 200, AppOut.of(saved.app()));
        });
    api.patch(
        "/api/v1/app/{app_id}",
        Access.ORG,
        ctx -> {
          Input in = api.input(ctx);
          AppIn.PatchIn body = AppIn.PatchIn.read(in);
          in.done();
          api.respond(
              ctx, 200, AppOut.of(apps.patch(Api.scope(ctx), ctx.pathParam("app_id"), body)));
        });
    api.delete(
        "/api/v1/app/{app_id}",
        Access.ORG,
        ctx -> {
          apps.delete(Api.scope(ctx), ctx.pathParam("app_id"));
          api.noContent(ctx);
        });
  }
}
