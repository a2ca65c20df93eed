package dev.herald.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.api.EndpointListOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.EndpointPatch;
import com.svix.models.EndpointUpdate;
import com.svix.models.ListResponseEndpointOut;
import com.svix.models.Ordering;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Svix's Endpoint resource (CRUD and list), driven with the official SDK. */
class EndpointApiTest {
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

  static String newApp() throws Exception {
    return svix.getApplication().create(new ApplicationIn().name("ep-test")).getId();
  }

  static EndpointIn endpoint(String url) {
    return new EndpointIn().url(URI.create(url));
  }

  static String body(TestHerald.Resp r) {
    return r.status() + " " + r.body();
  }

  static void assertStatus(ThrowingCall call, int status) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(status));
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void created_endpoint_keeps_every_field_and_can_be_read_by_id_and_uid() throws Exception {
    String app = newApp();
    EndpointOut created =
        svix.getEndpoint()
            .create(
                app,
                endpoint("https://example.com/hook")
                    .uid("ep-main")
                    .description("main hook")
                    .filterTypes(Set.of("user.signup", "user.deleted"))
                    .channels(Set.of("project_1"))
                    .throttleRate(20L)
                    .version(2L)
                    .metadata(Map.of("team", "core")));
    assertThat(created.getId()).startsWith("ep_").hasSize(3 + 27);
    assertThat(created.getUrl()).isEqualTo(URI.create("https://example.com/hook"));
    assertThat(created.getUid()).isEqualTo("ep-main");
    assertThat(created.getDescription()).isEqualTo("main hook");
    assertThat(created.getFilterTypes()).containsExactlyInAnyOrder("user.signup", "user.deleted");
    assertThat(created.getChannels()).containsExactly("project_1");
    assertThat(created.getThrottleRate()).isEqualTo(20L);
    assertThat(created.getRateLimit()).isEqualTo(20L);
    assertThat(created.getVersion()).isEqualTo(2);
    assertThat(created.getDisabled()).isFalse();
    assertThat(created.getMetadata()).containsEntry("team", "core");

    assertThat(svix.getEndpoint().get(app, created.getId()).getUid()).isEqualTo("ep-main");
    assertThat(svix.getEndpoint().get(app, "ep-main").getId()).isEqualTo(created.getId());
  }

  @Test
  void defaults_apply_and_both_field_names_are_written_and_read() throws Exception {
    String app = newApp();
    TestHerald.Resp r =
        herald.call(
            "POST",
            "/api/v1/app/" + app + "/endpoint",
            "{\"url\":\"http://example.com\",\"eventTypes\":[\"a.b\"],\"rateLimit\":7}");
    assertThat(r.status()).as(body(r)).isEqualTo(201);
    assertThat(r.body())
        .contains("\"filterTypes\":[\"a.b\"]")
        .contains("\"eventTypes\":[\"a.b\"]")
        .contains("\"throttleRate\":7")
        .contains("\"rateLimit\":7")
        .contains("\"description\":\"\"")
        .contains("\"version\":1")
        .contains("\"disabled\":false")
        .contains("\"channels\":null");
  }

  @Test
  void list_pages_through_every_endpoint_in_both_orders() throws Exception {
    String app = newApp();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      ids.add(svix.getEndpoint().create(app, endpoint("https://example.com/" + i)).getId());
    }
    List<String> seen = new ArrayList<>();
    String iterator = null;
    boolean done = false;
    int pages = 0;
    while (!done && pages++ < 10) {
      EndpointListOptions o = new EndpointListOptions();
      o.setLimit(3L);
      o.setIterator(iterator);
      ListResponseEndpointOut page = svix.getEndpoint().list(app, o);
      assertThat(page.getData().size()).isLessThanOrEqualTo(3);
      page.getData().forEach(e -> seen.add(e.getId()));
      iterator = page.getIterator();
      done = page.getDone();
    }
    assertThat(seen).containsExactlyElementsOf(ids.stream().sorted().toList());
    EndpointListOptions desc = new EndpointListOptions();
    desc.setOrder(Ordering.DESCENDING);
    List<String> descending =
        svix.getEndpoint().list(app, desc).getData().stream().map(EndpointOut::getId).toList();
    assertThat(descending).containsExactlyElementsOf(ids.stream().sorted().toList().reversed());
  }

  @Test
  void put_creates_by_uid_then_replaces() throws Exception {
    String app = newApp();
    TestHerald.Resp made =
        herald.call(
            "PUT",
            "/api/v1/app/" + app + "/endpoint/by-put",
            "{\"url\":\"https://a.example\",\"description\":\"first\",\"filterTypes\":[\"x\"]}");
    assertThat(made.status()).as(body(made)).isEqualTo(201);
    EndpointOut created = svix.getEndpoint().get(app, "by-put");
    assertThat(created.getUid()).isEqualTo("by-put");
    assertThat(created.getDescription()).isEqualTo("first");

    EndpointOut replaced =
        svix.getEndpoint()
            .update(app, "by-put", new EndpointUpdate().url(URI.create("https://b.example")));
    assertThat(replaced.getId()).isEqualTo(created.getId());
    assertThat(replaced.getUrl()).isEqualTo(URI.create("https://b.example"));
    assertThat(replaced.getDescription()).isEmpty();
    assertThat(replaced.getFilterTypes()).isNull();
    assertThat(replaced.getUid()).isEqualTo("by-put");
    assertThat(svix.getEndpoint().getSecret(app, "by-put").getKey()).startsWith("whsec_");
  }

  @Test
  void put_on_an_unknown_id_is_404_and_on_a_malformed_uid_422_and_creates_nothing()
      throws Exception {
    String app = newApp();
    TestHerald.Resp r =
        herald.call(
            "PUT",
            "/api/v1/app/" + app + "/endpoint/ep_2AAAAAAAAAAAAAAAAAAAAAAAAAA",
            "{\"url\":\"https://a.example\"}");
    assertThat(r.status()).as(body(r)).isEqualTo(404);
    assertThat(r.body()).contains("\"code\":\"not_found\"");
    TestHerald.Resp badUid =
        herald.call(
            "PUT", "/api/v1/app/" + app + "/endpoint/bad%20uid", "{\"url\":\"https://a.example\"}");
    assertThat(badUid.status()).as(body(badUid)).isEqualTo(422);
    assertThat(badUid.body()).contains("[\"path\",\"endpoint_id\"]");
    assertThat(svix.getEndpoint().list(app).getData()).isEmpty();
  }

  @Test
  void patch_changes_only_given_fields_and_null_clears_filter_and_rate() throws Exception {
    String app = newApp();
    EndpointOut e =
        svix.getEndpoint()
            .create(
                app,
                endpoint("https://example.com/p")
                    .description("keep me")
                    .filterTypes(Set.of("t.one"))
                    .channels(Set.of("c1"))
                    .throttleRate(5L));
    EndpointOut disabled =
        svix.getEndpoint().patch(app, e.getId(), new EndpointPatch().disabled(true));
    assertThat(disabled.getDisabled()).isTrue();
    assertThat(disabled.getDescription()).isEqualTo("keep me");
    assertThat(disabled.getFilterTypes()).containsExactly("t.one");

    EndpointOut cleared =
        svix.getEndpoint().patch(app, e.getId(), new EndpointPatch().filterTypes(null));
    assertThat(cleared.getFilterTypes()).isNull();
    assertThat(cleared.getChannels()).containsExactly("c1");
    assertThat(cleared.getThrottleRate()).isEqualTo(5L);

    TestHerald.Resp zero =
        herald.call(
            "PATCH",
            "/api/v1/app/" + app + "/endpoint/" + e.getId(),
            "{\"throttleRate\":0,\"channels\":null,\"uid\":\"patched-uid\"}");
    assertThat(zero.status()).as(body(zero)).isEqualTo(200);
    EndpointOut after = svix.getEndpoint().get(app, "patched-uid");
    assertThat(after.getThrottleRate()).isNull();
    assertThat(after.getChannels()).isNull();
    assertThat(after.getDisabled()).isTrue();
    assertThat(after.getUrl()).isEqualTo(URI.create("https://example.com/p"));
  }

  @Test
  void deleted_endpoint_is_404_everywhere_and_frees_its_uid() throws Exception {
    String app = newApp();
    EndpointOut e = svix.getEndpoint().create(app, endpoint("https://example.com").uid("doomed"));
    svix.getEndpoint().delete(app, e.getId());
    assertStatus(() -> svix.getEndpoint().get(app, e.getId()), 404);
    assertStatus(() -> svix.getEndpoint().get(app, "doomed"), 404);
    assertStatus(() -> svix.getEndpoint().delete(app, e.getId()), 404);
    assertStatus(() -> svix.getEndpoint().getSecret(app, e.getId()), 404);
    assertStatus(() -> svix.getEndpoint().getHeaders(app, e.getId()), 404);
    assertStatus(() -> svix.getEndpoint().patch(app, e.getId(), new EndpointPatch()), 404);
    assertThat(svix.getEndpoint().list(app).getData()).isEmpty();

    EndpointOut again =
        svix.getEndpoint().create(app, endpoint("https://example.com").uid("doomed"));
    assertThat(again.getId()).isNotEqualTo(e.getId());
  }

  @Test
  void invalid_urls_are_422_at_body_url_and_create_nothing() throws Exception {
    String app = newApp();
    String path = "/api/v1/app/" + app + "/endpoint";
    for (String bad :
        List.of(
            "{\"url\":\"ftp://x\"}",
            "{\"url\":\"not a url\"}",
            "{\"url\":\"/relative/path\"}",
            "{\"url\":\"https://\"}",
            "{\"url\":\"\"}",
            "{\"description\":\"no url\"}")) {
      TestHerald.Resp r = herald.call("POST", path, bad);
      assertThat(r.status()).as(bad + " -> " + body(r)).isEqualTo(422);
      assertThat(r.body()).as(bad).contains("\"loc\":[\"body\",\"url\"]");
    }
    assertThat(herald.call("POST", path, "{}").body()).contains("field required");
    assertThat(svix.getEndpoint().list(app).getData()).isEmpty();
  }

  @Test
  void invalid_fields_are_422_each_at_its_place_and_create_nothing() throws Exception {
    String app = newApp();
    String path = "/api/v1/app/" + app + "/endpoint";
    TestHerald.Resp r =
        herald.call(
            "POST",
            path,
            """
            {"url":"https://ok.example","uid":"bad uid","filterTypes":[],"version":0,
             "channels":["a","b","c","d","e","f","g","h","i","j","k"],"throttleRate":70000,
             "secret":"tooshort"}""");
    assertThat(r.status()).as(body(r)).isEqualTo(422);
    assertThat(r.body())
        .contains("[\"body\",\"uid\"]")
        .contains("[\"body\",\"filterTypes\"]")
        .contains("[\"body\",\"version\"]")
        .contains("[\"body\",\"channels\"]")
        .contains("[\"body\",\"throttleRate\"]")
        .contains("[\"body\",\"secret\"]");
    assertThat(svix.getEndpoint().list(app).getData()).isEmpty();
  }

  @Test
  void invalid_patch_is_422_and_changes_nothing() throws Exception {
    String app = newApp();
    EndpointOut e = svix.getEndpoint().create(app, endpoint("https://example.com/keep"));
    String path = "/api/v1/app/" + app + "/endpoint/" + e.getId();
    for (String bad :
        List.of(
            "{\"url\":\"ftp://x\",\"description\":\"changed\"}",
            "{\"url\":null}",
            "{\"version\":null}",
            "{\"throttleRate\":-1}")) {
      TestHerald.Resp r = herald.call("PATCH", path, bad);
      assertThat(r.status()).as(bad + " -> " + body(r)).isEqualTo(422);
    }
    EndpointOut after = svix.getEndpoint().get(app, e.getId());
    assertThat(after.getUrl()).isEqualTo(URI.create("https://example.com/keep"));
    assertThat(after.getDescription()).isEmpty();
    assertThat(after.getUpdatedAt()).isEqualTo(e.getUpdatedAt());
  }

  @Test
  void duplicate_uid_in_the_same_app_is_409_but_another_app_may_reuse_it() throws Exception {
    String app = newApp();
    EndpointOut first = svix.getEndpoint().create(app, endpoint("https://one.example").uid("same"));
    TestHerald.Resp r =
        herald.call(
            "POST",
            "/api/v1/app/" + app + "/endpoint",
            "{\"url\":\"https://two.example\",\"uid\":\"same\"}");
    assertThat(r.status()).as(body(r)).isEqualTo(409);
    assertThat(r.body()).contains("\"code\":\"conflict\"");
    EndpointOut other =
        svix.getEndpoint().create(app, endpoint("https://other.example").uid("other"));
    assertStatus(
        () -> svix.getEndpoint().patch(app, other.getId(), new EndpointPatch().uid("same")), 409);
    assertThat(svix.getEndpoint().list(app).getData()).hasSize(2);
    assertThat(svix.getEndpoint().get(app, "same").getId()).isEqualTo(first.getId());
    assertThat(svix.getEndpoint().get(app, "other").getId()).isEqualTo(other.getId());
    assertThat(svix.getEndpoint().create(newApp(), endpoint("https://x.example").uid("same")))
        .isNotNull();
  }

  @Test
  void unknown_app_or_endpoint_is_404() throws Exception {
    String app = newApp();
    TestHerald.Resp noApp =
        herald.call("POST", "/api/v1/app/no-such-app/endpoint", "{\"url\":\"https://x.example\"}");
    assertThat(noApp.status()).as(body(noApp)).isEqualTo(404);
    assertThat(noApp.body()).contains("\"code\":\"not_found\"");
    assertStatus(() -> svix.getEndpoint().list("no-such-app"), 404);
    assertStatus(() -> svix.getEndpoint().get(app, "no-such-endpoint"), 404);
    assertStatus(() -> svix.getEndpoint().get(app, "ep_2AAAAAAAAAAAAAAAAAAAAAAAAAA"), 404);
    assertThat(svix.getEndpoint().list(app).getData()).isEmpty();
  }

  @Test
  void app_token_reaches_only_its_own_apps_endpoints() throws Exception {
    String mine = newApp();
    String other = newApp();
    EndpointOut theirs = svix.getEndpoint().create(other, endpoint("https://theirs.example"));
    String token =
        svix.getAuthentication().appPortalAccess(mine, new AppPortalAccessIn()).getToken();
    Svix scoped = herald.svix(token);
    EndpointOut own = scoped.getEndpoint().create(mine, endpoint("https://mine.example"));
    assertThat(scoped.getEndpoint().list(mine).getData())
        .extracting(EndpointOut::getId)
        .containsExactly(own.getId());
    assertStatus(() -> scoped.getEndpoint().get(mine, theirs.getId()), 404);
    assertStatus(() -> scoped.getEndpoint().get(other, theirs.getId()), 404);
    assertStatus(() -> scoped.getEndpoint().delete(other, theirs.getId()), 404);
    assertStatus(() -> scoped.getEndpoint().getSecret(other, theirs.getId()), 404);
    assertThat(svix.getEndpoint().get(other, theirs.getId()).getUrl())
        .isEqualTo(URI.create("https://theirs.example"));
  }
}
