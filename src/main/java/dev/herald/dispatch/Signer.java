package dev.herald.dispatch;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures. The signed content is {@code {msg_id}.{timestamp}.{body}}:
 *
 * <ul>
 *   <li>{@code whsec_<base64 key>}: {@code v1,} + base64 HMAC-SHA256 keyed with the decoded key;
 *   <li>{@code whsk_<base64 32-byte Ed25519 seed>} (or the 64-byte seed+public form): {@code v1a,}
 *       + base64 Ed25519 signature.
 * </ul>
 *
 * Several keys (after a rotation) give several signatures, separated by spaces, in one header. Uses
 * only the JDK's crypto; stateless and thread-safe.
 */
public final class Signer {
  /** Prefix of symmetric secrets. */
  public static final String SYMMETRIC_PREFIX = "whsec_";

  /** Prefix of Ed25519 signing keys. */
  public static final String ASYMMETRIC_PREFIX = "whsk_";

  private Signer() {}

  /** The value of the {@code *-signature} header: one signature per key. */
  public static String signatureHeader(
      List<String> secrets, String msgId, long timestampSeconds, byte[] body) {
    // Signed as two pieces: the body is large (up to the request limit) and is not copied.
    byte[] head = (msgId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
    List<String> parts = new ArrayList<>(secrets.size());
    for (String secret : secrets) {
      parts.add(sign(secret, head, body));
    }
    return String.join(" ", parts);
  }

  static byte[] content(String msgId, long timestampSeconds, byte[] body) {
    byte[] head = (msgId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  static String sign(String secret, byte[] content) {
    return sign(secret, content, new byte[0]);
  }

  /** The signature of {@code head} followed by {@code body}. */
  static String sign(String secret, byte[] head, byte[] body) {
    try {
      if (secret.startsWith(ASYMMETRIC_PREFIX)) {
        byte[] raw = Base64.getDecoder().decode(secret.substring(ASYMMETRIC_PREFIX.length()));
        if (raw.length != 32 && raw.length != 64) {
          throw new IllegalArgumentException("Ed25519 key must be 32 or 64 bytes");
        }
        byte[] seed = java.util.Arrays.copyOf(raw, 32);
        PrivateKey key =
            KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        Signature sig = Signature.getInstance("Ed25519");
        sig.initSign(key);
        sig.update(head);
        sig.update(body);
        return "v1a," + Base64.getEncoder().encodeToString(sig.sign());
      }
      String encoded =
          secret.startsWith(SYMMETRIC_PREFIX)
              ? secret.substring(SYMMETRIC_PREFIX.length())
              : secret;
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(encoded), "HmacSHA256"));
      mac.update(head);
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("unusable signing key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256 or Ed25519", e);
    }
  }
}
