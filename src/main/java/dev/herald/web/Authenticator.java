package dev.herald.web;

import dev.herald.core.Scope;

/** Turns an {@code Authorization} header into a {@link Scope}, or throws 401. */
public interface Authenticator {
  Scope authenticate(String authorizationHeader);
}
