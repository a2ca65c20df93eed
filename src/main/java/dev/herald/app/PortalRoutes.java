package dev.herald.app;

import dev.herald.auth.Tokens;
import dev.herald.core.Scope;
import dev.herald.web.Access;
import dev.herald.web.Api;
import dev.herald.web.Input;

/**
 * {@code /api/v1/auth}: app-portal access (a token that reaches one application) and logout. Herald
 * ships no portal UI; the returned {@code url} carries the token in its fragment, the way Svix's
 * does, so a self-hosted portal can read it.
 */
public final class PortalRoutes {
  /** Where the portal URL points; a placeholder until Herald ships a portal. */
  static final String PORTAL_URL = "https://app.svix.com/login#key=";

  private final Api api;
  private final AppService apps;
  private final Tokens tokens;
  private final dev.herald.store.Store store;

  public PortalRoutes(Api api, AppService apps, Tokens tokens, dev.herald.store.Store store) {
    this.api = api;
    this.apps = apps;
    this.tokens = tokens;
    this.store = store;
  }

  /** Svix's {@code AppPortalAccessOut}. */
  record AccessOut(String token, String url) {}

  public void register() {
    api.post(
        "/api/v1/auth/app-portal-access/{app_id}",
        Access.ORG,
        ctx -> {
          Scope scope = Api.scope(ctx);
          byte[] raw = api.body(ctx);
          AppIn create = null;
          if (raw.length > 0) {
            Input in = Input.of(api.json().parse(raw));
            Input app = in.object("application");
            if (app != null) {
              create = AppIn.read(app);
            }
            in.stringSet("featureFlags", 0, 100, Input.Str.idLike(256));
            in.done();
          }
          AppIn toCreate = create;
          App app =
              store.write(tx -> apps.getOrCreate(tx, scope, ctx.pathParam("app_id"), toCreate));
          String token = tokens.appToken(scope.orgId(), app.id());
          api.respond(ctx, 200, new AccessOut(token, PORTAL_URL + token));
        });
    api.post("/api/v1/auth/logout", Access.ANY, ctx -> api.noContent(ctx));
  }
}
