package dev.herald.endpoint;

import dev.herald.web.Input;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Endpoint signing secrets, as Svix writes them: {@code whsec_} and the base64 of the key bytes.
 * Herald stores them always with the prefix. Generated keys are 24 random bytes, Svix's size.
 */
final class Secrets {
  /** Svix's pattern for a secret given by the caller; the prefix is optional. */
  static final Pattern PATTERN = Pattern.compile("^(whsec_)?[a-zA-Z0-9+/=]{32,100}$");

  static final String PREFIX = "whsec_";

  /** Bytes in a generated key. */
  static final int GENERATED_BYTES = 24;

  /** Smallest and largest decoded key Svix accepts, in bytes. */
  static final int MIN_BYTES = 24;

  static final int MAX_BYTES = 75;

  private final SecureRandom random = new SecureRandom();

  /** A new {@code whsec_} key. */
  String generate() {
    byte[] raw = new byte[GENERATED_BYTES];
    random.nextBytes(raw);
    return PREFIX + Base64.getEncoder().encodeToString(raw);
  }

  /**
   * The optional secret in field {@code name} of {@code in}, checked and given its prefix; null
   * when absent or null. Errors are recorded in {@code in}.
   */
  static String read(Input in, String name) {
    String s = in.optionalString(name, new Input.Str(0, Integer.MAX_VALUE, PATTERN));
    if (s == null || !PATTERN.matcher(s).matches()) {
      return null;
    }
    String bare = s.startsWith(PREFIX) ? s.substring(PREFIX.length()) : s;
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(bare);
    } catch (IllegalArgumentException e) {
      in.error(List.of(name), "secret is not valid base64", "value_error");
      return null;
    }
    if (raw.length < MIN_BYTES || raw.length > MAX_BYTES) {
      in.error(
          List.of(name),
          "secret must decode to " + MIN_BYTES + " to " + MAX_BYTES + " bytes",
          "value_error");
      return null;
    }
    return PREFIX + bare;
  }
}
