package dev.herald.endpoint;

import dev.herald.web.Input;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Endpoint signing secrets, as Svix writes them: {@code whsec_} and the base64 of the key bytes
 * (HMAC-SHA256, signatures {@code v1,}), or {@code whsk_} and the base64 of an Ed25519 private key,
 * its 32-byte seed or the 64-byte seed-and-public form (signatures {@code v1a,}). Herald stores
 * them always with the prefix. Generated keys are 24 random bytes, Svix's size. An asymmetric
 * endpoint's secret is shown as its public key ({@code whpk_}), which is what a receiver verifies
 * with; the private key never leaves Herald.
 */
final class Secrets {
  /** Svix's pattern for a secret given by the caller; the prefix is optional. */
  static final Pattern PATTERN = Pattern.compile("^(whsec_)?[a-zA-Z0-9+/=]{32,100}$");

  static final String PREFIX = "whsec_";

  /** Prefix of an Ed25519 private key. */
  static final String SIGNING_PREFIX = "whsk_";

  /** Prefix of the Ed25519 public key shown for an asymmetric endpoint. */
  static final String PUBLIC_PREFIX = "whpk_";

  /** An Ed25519 private key: its seed (32 bytes) or seed and public key (64 bytes). */
  static final Pattern SIGNING_PATTERN = Pattern.compile("^whsk_[a-zA-Z0-9+/=]{43,88}$");

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
    String given = in.optionalString(name, Input.Str.ANY);
    if (given != null && given.startsWith(SIGNING_PREFIX)) {
      return readSigningKey(in, name, given);
    }
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

  private static String readSigningKey(Input in, String name, String key) {
    byte[] raw = null;
    if (SIGNING_PATTERN.matcher(key).matches()) {
      try {
        raw = Base64.getDecoder().decode(key.substring(SIGNING_PREFIX.length()));
      } catch (IllegalArgumentException e) {
        raw = null;
      }
    }
    if (raw == null || (raw.length != 32 && raw.length != 64)) {
      in.error(
          List.of(name),
          "an Ed25519 key must be whsk_ and the base64 of 32 or 64 bytes",
          "value_error");
      return null;
    }
    return key;
  }

  /** What the API shows of {@code secret}: itself, or an Ed25519 key's public half. */
  static String shown(String secret) {
    if (!secret.startsWith(SIGNING_PREFIX)) {
      return secret;
    }
    byte[] raw = Base64.getDecoder().decode(secret.substring(SIGNING_PREFIX.length()));
    byte[] seed = java.util.Arrays.copyOf(raw, 32);
    try {
      // The JDK derives an Ed25519 key pair from the 32 bytes its random source gives.
      java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("Ed25519");
      g.initialize(
          java.security.spec.NamedParameterSpec.ED25519,
          new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
              System.arraycopy(seed, 0, bytes, 0, Math.min(bytes.length, seed.length));
            }
          });
      byte[] x509 = g.generateKeyPair().getPublic().getEncoded();
      byte[] pub = java.util.Arrays.copyOfRange(x509, x509.length - 32, x509.length);
      return PUBLIC_PREFIX + Base64.getEncoder().encodeToString(pub);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks Ed25519", e);
    }
  }
}
