package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignerTest {
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String MSG = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final String BODY = "{\"test\": 2432232314}";

  @Test
  void hmac_signature_matches_the_standard_webhooks_reference_vector() {
    // The example in the Standard Webhooks specification.
    String header =
        Signer.signatureHeader(
            List.of(SECRET), MSG, 1614265330L, BODY.getBytes(StandardCharsets.UTF_8));
    assertThat(header).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void svix_sdk_verifies_herald_signatures() throws Exception {
    long ts = System.currentTimeMillis() / 1000;
    String header = Signer.signatureHeader(List.of(SECRET), MSG, ts, BODY.getBytes());
    Map<String, List<String>> headers =
        Map.of(
            "svix-id", List.of(MSG),
            "svix-timestamp", List.of(Long.toString(ts)),
            "svix-signature", List.of(header));
    new com.svix.Webhook(SECRET).verify(BODY, headers);
  }

  @Test
  void standard_webhooks_library_verifies_herald_signatures() throws Exception {
    long ts = System.currentTimeMillis() / 1000;
    String header = Signer.signatureHeader(List.of(SECRET), MSG, ts, BODY.getBytes());
    Map<String, List<String>> headers =
        Map.of(
            "webhook-id", List.of(MSG),
            "webhook-timestamp", List.of(Long.toString(ts)),
            "webhook-signature", List.of(header));
    new com.standardwebhooks.Webhook(SECRET)
        .verify(BODY, java.net.http.HttpHeaders.of(headers, (a, b) -> true));
  }

  @Test
  void rotated_keys_each_add_a_signature_that_verifies_alone() throws Exception {
    String old = "whsec_" + Base64.getEncoder().encodeToString(new byte[24]);
    long ts = System.currentTimeMillis() / 1000;
    String header = Signer.signatureHeader(List.of(SECRET, old), MSG, ts, BODY.getBytes());
    assertThat(header.split(" ")).hasSize(2);
    var headers =
        java.net.http.HttpHeaders.of(
            Map.of(
                "webhook-id", List.of(MSG),
                "webhook-timestamp", List.of(Long.toString(ts)),
                "webhook-signature", List.of(header)),
            (a, b) -> true);
    new com.standardwebhooks.Webhook(old).verify(BODY, headers);
    new com.standardwebhooks.Webhook(SECRET).verify(BODY, headers);
  }

  @Test
  void ed25519_signature_verifies_with_the_public_key() throws Exception {
    var kpg = java.security.KeyPairGenerator.getInstance("Ed25519");
    var pair = kpg.generateKeyPair();
    // The PKCS#8 encoding of an Ed25519 key ends with the 32-byte seed.
    byte[] pkcs8 = pair.getPrivate().getEncoded();
    byte[] seed = java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
    String secret = "whsk_" + Base64.getEncoder().encodeToString(seed);
    String header = Signer.signatureHeader(List.of(secret), MSG, 1700000000L, BODY.getBytes());
    assertThat(header).startsWith("v1a,");
    Signature verify = Signature.getInstance("Ed25519");
    verify.initVerify(pair.getPublic());
    verify.update(Signer.content(MSG, 1700000000L, BODY.getBytes()));
    assertThat(verify.verify(Base64.getDecoder().decode(header.substring(4)))).isTrue();
  }

  @Test
  void malformed_key_is_refused() {
    assertThatThrownBy(() -> Signer.sign("whsk_AAAA", new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
