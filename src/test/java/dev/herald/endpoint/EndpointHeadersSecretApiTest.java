package dev.herald.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointHeadersIn;
import com.svix.models.EndpointHeadersOut;
import com.svix.models.EndpointHeadersPatchIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.EndpointSecretRotateIn;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Endpoint headers and signing secrets, driven with the official SDK. */
class EndpointHeadersSecretApiTest {
  static final String KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  static TestHerald herald;
  static Svix svix;

  @BeforeAll
  static void start() {
    herald = TestHerald.start();
    svix = herald.svix();
  }

  @AfterAll
  static void stop() {
    if (herald != null) {
      herald.close();
    }
  }

  record Target(String app, String endpoint) {
    String path(String tail) {
      return "/api/v1/app/" + app + "/endpoint/" + endpoint + tail;
    }
  }

  static Target newEndpoint(EndpointIn in) throws Exception {
    String app = svix.getApplication().create(new ApplicationIn().name("hdr")).getId();
    return new Target(app, svix.getEndpoint().create(app, in).getId());
  }

  static Target newEndpoint() throws Exception {
    return newEndpoint(new EndpointIn().url(URI.create("https://example.com/h")));
  }

  @Test
  void headers_round_trip_with_put_patch_and_sensitive_redaction() throws Exception {
    Target t = newEndpoint();
    assertThat(svix.getEndpoint().getHeaders(t.app(), t.endpoint()).getHeaders()).isEmpty();

    svix.getEndpoint()
        .updateHeaders(
            t.app(),
            t.endpoint(),
            new EndpointHeadersIn()
                .headers(
                    Map.of(
                        "X-Foo", "1",
                        "X-Bar", "2",
                        "Authorization", "Bearer s3cret",
                        "X-Api-Key", "k3y")));
    EndpointHeadersOut got = svix.getEndpoint().getHeaders(t.app(), t.endpoint());
    assertThat(got.getHeaders()).containsOnly(Map.entry("X-Foo", "1"), Map.entry("X-Bar", "2"));
    assertThat(got.getSensitive()).containsExactlyInAnyOrder("Authorization", "X-Api-Key");
    TestHerald.Resp raw = herald.call("GET", t.path("/headers"), null);
    assertThat(raw.body()).doesNotContain("s3cret").doesNotContain("k3y");

    Map<String, String> patch = new HashMap<>();
    patch.put("X-Foo", null);
    patch.put("X-New", "3");
    svix.getEndpoint()
        .patchHeaders(t.app(), t.endpoint(), new EndpointHeadersPatchIn().headers(patch));
    got = svix.getEndpoint().getHeaders(t.app(), t.endpoint());
    assertThat(got.getHeaders()).containsOnly(Map.entry("X-Bar", "2"), Map.entry("X-New", "3"));
    assertThat(got.getSensitive()).containsExactlyInAnyOrder("Authorization", "X-Api-Key");

    svix.getEndpoint()
        .updateHeaders(
            t.app(), t.endpoint(), new EndpointHeadersIn().headers(Map.of("x-only", "1")));
    got = svix.getEndpoint().getHeaders(t.app(), t.endpoint());
    assertThat(got.getHeaders()).containsOnly(Map.entry("x-only", "1"));
    assertThat(got.getSensitive()).isEmpty();
  }

  @Test
  void header_writes_answer_204_with_an_empty_body() throws Exception {
    Target t = newEndpoint();
    TestHerald.Resp put = herald.call("PUT", t.path("/headers"), "{\"headers\":{\"X-A\":\"1\"}}");
    assertThat(put.status()).isEqualTo(204);
    assertThat(put.body()).isEmpty();
    TestHerald.Resp patch =
        herald.call("PATCH", t.path("/headers"), "{\"headers\":{},\"deleteHeaders\":[\"x-a\"]}");
    assertThat(patch.status()).isEqualTo(204);
    assertThat(patch.body()).isEmpty();
    assertThat(svix.getEndpoint().getHeaders(t.app(), t.endpoint()).getHeaders()).isEmpty();
  }

  @Test
  void headers_given_on_create_are_kept() throws Exception {
    Target t =
        newEndpoint(
            new EndpointIn().url(URI.create("https://example.com")).headers(Map.of("X-Team", "a")));
    assertThat(svix.getEndpoint().getHeaders(t.app(), t.endpoint()).getHeaders())
        .containsOnly(Map.entry("X-Team", "a"));
  }

  @Test
  void forbidden_or_malformed_headers_are_422_and_change_nothing() throws Exception {
    Target t = newEndpoint();
    svix.getEndpoint()
        .updateHeaders(t.app(), t.endpoint(), new EndpointHeadersIn().headers(Map.of("X-Ok", "1")));
    for (String bad :
        List.of(
            "{\"headers\":{\"svix-signature\":\"x\"}}",
            "{\"headers\":{\"Webhook-Id\":\"x\"}}",
            "{\"headers\":{\"Content-Type\":\"text/plain\"}}",
            "{\"headers\":{\"User-Agent\":\"me\"}}",
            "{\"headers\":{\"Host\":\"evil.example\"}}",
            "{\"headers\":{\"Content-Length\":\"1\"}}",
            "{\"headers\":{\"Transfer-Encoding\":\"chunked\"}}",
            "{\"headers\":{\"bad name\":\"x\"}}",
            "{\"headers\":{\"X-Inject\":\"a\\r\\nX-Evil: 1\"}}",
            "{\"headers\":{\"X-Num\":1}}",
            "{\"headers\":null}",
            "{}")) {
      for (String method : List.of("PUT", "PATCH")) {
        TestHerald.Resp r = herald.call(method, t.path("/headers"), bad);
        assertThat(r.status()).as(method + " " + bad + " -> " + r.body()).isEqualTo(422);
      }
    }
    TestHerald.Resp r =
        herald.call("PUT", t.path("/headers"), "{\"headers\":{\"svix-id\":\"x\",\"X-B\":\"2\"}}");
    assertThat(r.body()).contains("[\"body\",\"headers\",\"svix-id\"]").contains("forbidden");
    TestHerald.Resp create =
        herald.call(
            "POST",
            "/api/v1/app/" + t.app() + "/endpoint",
            "{\"url\":\"https://x.example\",\"headers\":{\"Webhook-Signature\":\"x\"}}");
    assertThat(create.status()).isEqualTo(422);
    assertThat(svix.getEndpoint().list(t.app()).getData()).hasSize(1);
    assertThat(svix.getEndpoint().getHeaders(t.app(), t.endpoint()).getHeaders())
        .containsOnly(Map.entry("X-Ok", "1"));
  }

  @Test
  void generated_secret_is_whsec_and_24_random_bytes() throws Exception {
    Target a = newEndpoint();
    Target b = newEndpoint();
    String key = svix.getEndpoint().getSecret(a.app(), a.endpoint()).getKey();
    assertThat(key).startsWith("whsec_");
    assertThat(java.util.Base64.getDecoder().decode(key.substring(6))).hasSize(24);
    assertThat(svix.getEndpoint().getSecret(b.app(), b.endpoint()).getKey()).isNotEqualTo(key);
  }

  @Test
  void given_secret_is_kept_with_the_whsec_prefix() throws Exception {
    Target plain =
        newEndpoint(
            new EndpointIn().url(URI.create("https://example.com")).secret(KEY.substring(6)));
    assertThat(svix.getEndpoint().getSecret(plain.app(), plain.endpoint()).getKey()).isEqualTo(KEY);
    Target prefixed =
        newEndpoint(new EndpointIn().url(URI.create("https://example.com")).secret(KEY));
    assertThat(svix.getEndpoint().getSecret(prefixed.app(), prefixed.endpoint()).getKey())
        .isEqualTo(KEY);
  }

  @Test
  void rotate_makes_a_new_current_key_or_exactly_the_given_one() throws Exception {
    Target t = newEndpoint();
    String first = svix.getEndpoint().getSecret(t.app(), t.endpoint()).getKey();
    svix.getEndpoint().rotateSecret(t.app(), t.endpoint(), new EndpointSecretRotateIn());
    String second = svix.getEndpoint().getSecret(t.app(), t.endpoint()).getKey();
    assertThat(second).startsWith("whsec_").isNotEqualTo(first);

    svix.getEndpoint().rotateSecret(t.app(), t.endpoint(), new EndpointSecretRotateIn().key(KEY));
    assertThat(svix.getEndpoint().getSecret(t.app(), t.endpoint()).getKey()).isEqualTo(KEY);

    TestHerald.Resp r = herald.call("POST", t.path("/secret/rotate"), "{}");
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(svix.getEndpoint().getSecret(t.app(), t.endpoint()).getKey()).isNotEqualTo(KEY);
  }

  @Test
  void bad_secret_is_422_and_changes_nothing() throws Exception {
    Target t = newEndpoint();
    String before = svix.getEndpoint().getSecret(t.app(), t.endpoint()).getKey();
    for (String bad :
        List.of(
            "{\"key\":\"short\"}",
            "{\"key\":\"whsec_has spaces in it which are not base64 at all\"}",
            "{\"key\":\"wrong_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}",
            "{\"key\":\"whsec_MfKQ9r8GK=qrTwjUPD8ILPZIo2LaLaSw\"}",
            "{\"key\":12}",
            "{\"gracePeriodSeconds\":604801}")) {
      TestHerald.Resp r = herald.call("POST", t.path("/secret/rotate"), bad);
      assertThat(r.status()).as(bad + " -> " + r.body()).isEqualTo(422);
    }
    assertThat(svix.getEndpoint().getSecret(t.app(), t.endpoint()).getKey()).isEqualTo(before);
    TestHerald.Resp create =
        herald.call(
            "POST",
            "/api/v1/app/" + t.app() + "/endpoint",
            "{\"url\":\"https://x.example\",\"secret\":\"not-a-secret\"}");
    assertThat(create.status()).isEqualTo(422);
    assertThat(create.body()).contains("[\"body\",\"secret\"]");
    assertThat(svix.getEndpoint().list(t.app()).getData())
        .extracting(EndpointOut::getId)
        .containsExactly(t.endpoint());
  }
}
