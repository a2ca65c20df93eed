package dev.herald.opwebhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.svix.Svix;
import com.svix.api.OperationalWebhookEndpoint;
import com.svix.api.OperationalWebhookEndpointListOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.ApplicationIn;
import com.svix.models.OperationalWebhookEndpointHeadersIn;
import com.svix.models.OperationalWebhookEndpointIn;
import com.svix.models.OperationalWebhookEndpointOut;
import com.svix.models.OperationalWebhookEndpointSecretIn;
import com.svix.models.OperationalWebhookEndpointUpdate;
import dev.herald.app.App;
import dev.herald.app.AppService;
import dev.herald.store.Store;
import dev.herald.store.Stores;
import dev.herald.testing.TestHerald;
import dev.herald.web.Json;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Svix's hosted {@code /api/v1/operational-webhook/endpoint} resource, driven with the SDK. */
class OperationalWebhookApiTest {
  static final String BASE = "/api/v1/operational-webhook/endpoint";
  static final String SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
  static final String UNKNOWN = "ep_1srOrx2ZWZBpBUvZwXKQmoEYga2";
  static final ObjectMapper JSON = new ObjectMapper();

  static TestHerald herald;
  static Svix svix;
  static OperationalWebhookEndpoint ops;

  @BeforeAll
  static void start() {
    herald = TestHerald.start();
    svix = herald.svix();
    ops = svix.getOperationalWebhook().getEndpoint();
  }

  @AfterAll
  static void stop() {
    if (herald != null) {
      herald.close();
    }
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  static void assertStatus(ThrowingCall call, int status) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(status));
  }

  static List<String> ids() throws Exception {
    OperationalWebhookEndpointListOptions o = new OperationalWebhookEndpointListOptions();
    o.setLimit(250L);
    return ops.list(o).getData().stream().map(OperationalWebhookEndpointOut::getId).toList();
  }

  static OperationalWebhookEndpointIn in(String url) {
    OperationalWebhookEndpointIn in = new OperationalWebhookEndpointIn();
    in.setUrl(URI.create(url));
    return in;
  }

  @Test
  void operational_endpoint_is_created_read_listed_updated_and_deleted_with_the_sdk()
      throws Exception {
    OperationalWebhookEndpointIn in = in("https://ops.example.com/hook");
    in.setUid("ops-crud");
    in.setDescription("alerts");
    in.setFilterTypes(Set.of("endpoint.disabled", "message.attempt.exhausted"));
    in.setThrottleRate(7L);
    in.setMetadata(Map.of("team", "sre"));
    OperationalWebhookEndpointOut created = ops.create(in);
    assertThat(created.getId()).startsWith("ep_");
    assertThat(created.getUid()).isEqualTo("ops-crud");
    assertThat(created.getUrl()).isEqualTo(URI.create("https://ops.example.com/hook"));
    assertThat(created.getDescription()).isEqualTo("alerts");
    assertThat(created.getFilterTypes())
        .containsExactlyInAnyOrder("endpoint.disabled", "message.attempt.exhausted");
    assertThat(created.getThrottleRate()).isEqualTo(7L);
    assertThat(created.getMetadata()).isEqualTo(Map.of("team", "sre"));
    assertThat(created.getDisabled()).isFalse();

    assertThat(ops.get(created.getId()).getUid()).isEqualTo("ops-crud");
    assertThat(ops.get("ops-crud").getId()).isEqualTo(created.getId());
    assertThat(ids()).contains(created.getId());

    OperationalWebhookEndpointUpdate update = new OperationalWebhookEndpointUpdate();
    update.setUrl(URI.create("https://ops.example.com/v2"));
    update.setDescription("paging");
    update.setDisabled(true);
    OperationalWebhookEndpointOut updated = ops.update("ops-crud", update);
    assertThat(updated.getId()).isEqualTo(created.getId());
    assertThat(updated.getUrl()).isEqualTo(URI.create("https://ops.example.com/v2"));
    assertThat(updated.getDescription()).isEqualTo("paging");
    assertThat(updated.getDisabled()).isTrue();
    assertThat(updated.getFilterTypes()).isNull();
    assertThat(ops.get(created.getId()).getUrl()).isEqualTo(updated.getUrl());

    ops.delete(created.getId());
    assertStatus(() -> ops.get(created.getId()), 404);
    assertThat(ids()).doesNotContain(created.getId());
  }

  @Test
  void put_with_an_unknown_uid_creates_the_operational_endpoint() throws Exception {
    OperationalWebhookEndpointUpdate update = new OperationalWebhookEndpointUpdate();
    update.setUrl(URI.create("https://ops.example.com/upserted"));
    OperationalWebhookEndpointOut out = ops.update("ops-upserted", update);
    assertThat(out.getUid()).isEqualTo("ops-upserted");
    assertThat(ops.get("ops-upserted").getId()).isEqualTo(out.getId());
  }

  @Test
  void headers_and_secret_are_read_replaced_and_rotated() throws Exception {
    OperationalWebhookEndpointIn in = in("https://ops.example.com/keys");
    in.setSecret(SECRET);
    String id = ops.create(in).getId();
    assertThat(ops.getSecret(id).getKey()).isEqualTo(SECRET);

    OperationalWebhookEndpointHeadersIn headers = new OperationalWebhookEndpointHeadersIn();
    headers.setHeaders(Map.of("X-Team", "sre", "Authorization", "Bearer abc"));
    ops.updateHeaders(id, headers);
    var shown = ops.getHeaders(id);
    assertThat(shown.getHeaders()).isEqualTo(Map.of("X-Team", "sre"));
    assertThat(shown.getSensitive()).containsExactly("Authorization");

    String next = "whsec_" + "A".repeat(32);
    OperationalWebhookEndpointSecretIn rotate = new OperationalWebhookEndpointSecretIn();
    rotate.setKey(next);
    ops.rotateSecret(id, rotate);
    assertThat(ops.getSecret(id).getKey()).isEqualTo(next);
    ops.rotateSecret(id, new OperationalWebhookEndpointSecretIn());
    assertThat(ops.getSecret(id).getKey()).startsWith("whsec_").isNotEqualTo(next);
  }

  @Test
  void invalid_url_is_422_and_creates_nothing() throws Exception {
    List<String> before = ids();
    TestHerald.Resp r = herald.call("POST", BASE, "{\"url\":\"ftp://ops.example.com\"}");
    assertThat(r.status()).isEqualTo(422);
    JsonNode detail = JSON.readTree(r.body()).get("detail");
    assertThat(detail.get(0).get("loc").toString()).isEqualTo("[\"body\",\"url\"]");
    TestHerald.Resp missing = herald.call("POST", BASE, "{}");
    assertThat(missing.status()).isEqualTo(422);
    assertThat(ids()).isEqualTo(before);
  }

  @Test
  void unknown_operational_endpoint_is_404_for_every_operation() throws Exception {
    String body = "{\"url\":\"https://ops.example.com/x\"}";
    for (String[] call :
        List.of(
            new String[] {"GET", ""},
            new String[] {"PUT", ""},
            new String[] {"DELETE", ""},
            new String[] {"GET", "/headers"},
            new String[] {"PUT", "/headers"},
            new String[] {"GET", "/secret"},
            new String[] {"POST", "/secret/rotate"})) {
      String sent =
          call[0].equals("GET") || call[0].equals("DELETE")
              ? null
              : call[1].equals("/headers") ? "{\"headers\":{}}" : call[1].isEmpty() ? body : "{}";
      TestHerald.Resp r = herald.call(call[0], BASE + "/" + UNKNOWN + call[1], sent);
      assertThat(r.status()).as(call[0] + call[1]).isEqualTo(404);
      assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo("not_found");
    }
    assertThat(ids()).doesNotContain(UNKNOWN);
  }

  @Test
  void app_token_is_forbidden_and_changes_nothing() throws Exception {
    String app = svix.getApplication().create(new ApplicationIn().name("not-org")).getId();
    String token = herald.herald().tokens().appToken(TestHerald.ORG, app);
    Map<String, String> auth = Map.of("Authorization", "Bearer " + token);
    List<String> before = ids();
    TestHerald.Resp r =
        herald.call("POST", BASE, "{\"url\":\"https://ops.example.com/app\"}", auth);
    assertThat(r.status()).isEqualTo(403);
    assertThat(herald.call("GET", BASE, null, auth).status()).isEqualTo(403);
    assertStatus(() -> herald.svix(token).getOperationalWebhook().getEndpoint().list(), 403);
    assertThat(ids()).isEqualTo(before);
  }

  @Test
  void internal_application_is_invisible_to_the_application_api() throws Exception {
    String opId = ops.create(in("https://ops.example.com/hidden")).getId();
    String internal = internalAppId();
    TestHerald.Resp list = herald.call("GET", "/api/v1/app?limit=250", null);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body()).doesNotContain(internal);
    String appPath = "/api/v1/app/" + internal;
    assertThat(herald.call("GET", appPath, null).status()).isEqualTo(404);
    assertThat(herald.call("PUT", appPath, "{\"name\":\"mine\"}").status()).isEqualTo(404);
    assertThat(herald.call("PATCH", appPath, "{\"name\":\"mine\"}").status()).isEqualTo(404);
    assertThat(herald.call("DELETE", appPath, null).status()).isEqualTo(404);
    assertThat(herald.call("GET", appPath + "/endpoint", null).status()).isEqualTo(404);
    assertThat(herald.call("GET", appPath + "/endpoint/" + opId, null).status()).isEqualTo(404);
    TestHerald.Resp msg =
        herald.call(
            "POST",
            appPath + "/msg",
            "{\"eventType\":\"endpoint.created\",\"payload\":{},\"application\":{\"name\":\"x\"}}");
    assertThat(msg.status()).isEqualTo(404);
    assertThat(herald.call("POST", "/api/v1/auth/app-portal-access/" + internal, "{}").status())
        .isEqualTo(404);
    // Nothing changed: the internal application and its endpoint are still there.
    assertThat(internalAppId()).isEqualTo(internal);
    assertThat(ops.get(opId).getUrl()).isEqualTo(URI.create("https://ops.example.com/hidden"));
  }

  /** The organisation's internal application, read from the database. */
  static String internalAppId() {
    try (Store store = Stores.open(herald.herald().config().store())) {
      AppService apps = new AppService(store, new Json(1 << 20), Clock.systemUTC());
      return store.read(tx -> apps.internal(tx, TestHerald.ORG)).map(App::id).orElseThrow();
    }
  }
}
