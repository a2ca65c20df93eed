package dev.herald.web;

/** Who may call a route. */
public enum Access {
  /** Anyone, no token. */
  PUBLIC,
  /** An organisation token only; app tokens get 403. */
  ORG,
  /** An organisation token, or an app token (the handler checks the app). */
  ANY
}
