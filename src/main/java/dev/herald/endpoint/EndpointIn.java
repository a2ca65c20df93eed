package dev.herald.endpoint;

import dev.herald.core.Patch;
import dev.herald.web.Input;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Svix's {@code EndpointIn} (POST) and {@code EndpointUpdate} (PUT, which has no secret nor
 * headers). Svix's SDK names the event-type filter {@code filterTypes}; the open-source server's
 * document calls it {@code eventTypes}; both are read. {@code throttleRate} and {@code rateLimit}
 * likewise.
 */
public record EndpointIn(
    String url,
    String uid,
    String description,
    boolean disabled,
    List<String> filterTypes,
    List<String> channels,
    Map<String, String> metadata,
    Integer rateLimit,
    int version,
    String secret,
    Map<String, String> headers) {

  /** Longest URL (Svix). */
  static final int MAX_URL_LENGTH = 65_536;

  /** Largest {@code throttleRate}: Svix's uint16. */
  static final int MAX_RATE = 65_535;

  /** Most channels an endpoint listens to (Svix). */
  static final int MAX_CHANNELS = 10;

  static final Input.Str EVENT_TYPE = Input.Str.idLike(256);
  static final Input.Str CHANNEL = Input.Str.idLike(128);

  /** Reads a POST body ({@code create}: secret and headers too) or a PUT body. */
  public static EndpointIn read(Input in, boolean create) {
    String url = checkUrl(in, in.requiredString("url", new Input.Str(1, MAX_URL_LENGTH, null)));
    List<String> filterTypes =
        in.has("filterTypes")
            ? in.stringSet("filterTypes", 1, Integer.MAX_VALUE, EVENT_TYPE)
            : in.stringSet("eventTypes", 1, Integer.MAX_VALUE, EVENT_TYPE);
    Integer rate =
        in.has("throttleRate")
            ? in.optionalInt("throttleRate", 1, MAX_RATE)
            : in.optionalInt("rateLimit", 1, MAX_RATE);
    Integer version = in.optionalInt("version", 1, Integer.MAX_VALUE);
    String description = in.optionalString("description", Input.Str.ANY);
    Map<String, String> headers = create ? Headers.read(in, "headers", false) : null;
    return new EndpointIn(
        url,
        in.optionalString("uid", Input.Str.idLike(256)),
        description == null ? "" : description,
        in.bool("disabled", false),
        filterTypes,
        in.stringSet("channels", 1, MAX_CHANNELS, CHANNEL),
        in.stringMap("metadata"),
        rate,
        version == null ? 1 : version,
        create ? Secrets.read(in, "secret") : null,
        headers == null ? Map.of() : Headers.apply(Map.of(), headers));
  }

  /**
   * {@code url} when it is an absolute {@code http} or {@code https} URL with a host; otherwise
   * records an error at {@code ["body","url"]}.
   */
  static String checkUrl(Input in, String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        in.error(
            List.of("url"), "Endpoint URL schemes must be http or https", "value_error.url.scheme");
        return null;
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        in.error(List.of("url"), "Endpoint URLs must have a host", "value_error.url.host");
        return null;
      }
      return url;
    } catch (URISyntaxException e) {
      in.error(List.of("url"), "Endpoint URLs must be valid", "value_error.url");
      return null;
    }
  }

  /** Svix's {@code EndpointPatch}: only the fields present change; null clears a nullable one. */
  record PatchIn(
      Patch<String> url,
      Patch<String> uid,
      Patch<String> description,
      Patch<Boolean> disabled,
      Patch<List<String>> filterTypes,
      Patch<List<String>> channels,
      Patch<Map<String, String>> metadata,
      Patch<Integer> rateLimit,
      Patch<Integer> version) {

    static PatchIn read(Input in) {
      Patch<String> url = in.patchString("url", new Input.Str(1, MAX_URL_LENGTH, null), false);
      if (url instanceof Patch.Present<String> p && p.value() != null) {
        url = Patch.of(checkUrl(in, p.value()));
      }
      Patch<List<String>> filterTypes =
          in.has("filterTypes")
              ? in.patchStringSet("filterTypes", 1, Integer.MAX_VALUE, EVENT_TYPE)
              : in.patchStringSet("eventTypes", 1, Integer.MAX_VALUE, EVENT_TYPE);
      Patch<Integer> rate =
          in.has("throttleRate")
              ? in.patchInt("throttleRate", 0, MAX_RATE)
              : in.patchInt("rateLimit", 0, MAX_RATE);
      if (in.isNull("version")) {
        in.error(List.of("version"), "none is not an allowed value", "type_error.none.not_allowed");
      }
      return new PatchIn(
          url,
          in.patchString("uid", Input.Str.idLike(256), true),
          in.patchString("description", Input.Str.ANY, false),
          in.patchBool("disabled"),
          filterTypes,
          in.patchStringSet("channels", 1, MAX_CHANNELS, CHANNEL),
          in.patchStringMap("metadata"),
          rate.map(r -> r == 0 ? null : r),
          in.patchInt("version", 1, Integer.MAX_VALUE));
    }
  }
}
