package dev.herald.core;

/**
 * Who is calling: an organisation token ({@code appId} null) or a token scoped to one application
 * (from app-portal access). An app token sees only its own application: others answer 404, and
 * organisation-wide operations answer 403.
 */
public record Scope(String orgId, String appId) {

  public static Scope org(String orgId) {
    return new Scope(orgId, null);
  }

  public boolean isApp() {
    return appId != null;
  }

  /** Throws 403 unless this is an organisation token. */
  public void requireOrg() {
    if (isApp()) {
      throw new HeraldError.Forbidden("This operation needs an organisation token.");
    }
  }
}
