package dev.herald.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.api.ApplicationListOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.ApplicationIn;
import com.svix.models.ApplicationOut;
import com.svix.models.ApplicationPatch;
import com.svix.models.ListResponseApplicationOut;
import com.svix.models.Ordering;
import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Svix's Application resource, driven with the official SDK against a running Herald. */
class AppApiTest {
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

  static ApplicationListOptions listOptions(Long limit, String iterator, Ordering order) {
    ApplicationListOptions o = new ApplicationListOptions();
    o.setLimit(limit);
    o.setIterator(iterator);
    o.setOrder(order);
    return o;
  }

  static String uid(String base) {
    return base + "-" + System.nanoTime();
  }

  @Test
  void created_app_can_be_read_by_id_and_uid() throws Exception {
    String uid = uid("acme");
    ApplicationOut created =
        svix.getApplication()
            .create(
                new ApplicationIn()
                    .name("Acme")
                    .uid(uid)
                    .throttleRate(100L)
                    .metadata(Map.of("tier", "gold")));
    assertThat(created.getId()).startsWith("app_").hasSize(4 + 27);
    assertThat(created.getUid()).isEqualTo(uid);
    assertThat(created.getThrottleRate()).isEqualTo(100L);
    assertThat(created.getMetadata()).containsEntry("tier", "gold");
    assertThat(created.getCreatedAt()).isNotNull();

    assertThat(svix.getApplication().get(created.getId()).getName()).isEqualTo("Acme");
    assertThat(svix.getApplication().get(uid).getId()).isEqualTo(created.getId());
  }

  @Test
  void duplicate_uid_is_a_conflict_and_get_if_exists_returns_the_first() throws Exception {
    String uid = uid("dup");
    ApplicationOut first = svix.getApplication().create(new ApplicationIn().name("One").uid(uid));
    assertThatThrownBy(() -> svix.getApplication().create(new ApplicationIn().name("Two").uid(uid)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    ApplicationOut again =
        svix.getApplication().getOrCreate(new ApplicationIn().name("Two").uid(uid));
    assertThat(again.getId()).isEqualTo(first.getId());
    assertThat(svix.getApplication().get(uid).getName()).isEqualTo("One");
  }

  @Test
  void put_creates_then_replaces_and_patch_changes_only_given_fields() throws Exception {
    String uid = uid("put");
    ApplicationOut created =
        svix.getApplication().update(uid, new ApplicationIn().name("Made by PUT"));
    assertThat(created.getUid()).isEqualTo(uid);
    ApplicationOut replaced =
        svix.getApplication().update(uid, new ApplicationIn().name("Replaced"));
    assertThat(replaced.getId()).isEqualTo(created.getId());
    assertThat(replaced.getName()).isEqualTo("Replaced");

    ApplicationOut patched =
        svix.getApplication().patch(uid, new ApplicationPatch().metadata(Map.of("a", "b")));
    assertThat(patched.getName()).isEqualTo("Replaced");
    assertThat(patched.getMetadata()).containsEntry("a", "b");
  }

  @Test
  void deleted_app_is_gone() throws Exception {
    ApplicationOut app = svix.getApplication().create(new ApplicationIn().name("Doomed"));
    svix.getApplication().delete(app.getId());
    assertThatThrownBy(() -> svix.getApplication().get(app.getId()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThatThrownBy(() -> svix.getApplication().delete(app.getId()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }

  @Test
  void list_pages_through_every_app_in_both_orders() throws Exception {
    // A fresh Herald so that the count is exact.
    try (TestHerald own = TestHerald.start()) {
      Svix s = own.svix();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        ids.add(s.getApplication().create(new ApplicationIn().name("app" + i)).getId());
      }
      List<String> seen = new ArrayList<>();
      String iterator = null;
      boolean done = false;
      int pages = 0;
      while (!done && pages++ < 10) {
        ListResponseApplicationOut page = s.getApplication().list(listOptions(3L, iterator, null));
        page.getData().forEach(a -> seen.add(a.getId()));
        iterator = page.getIterator();
        done = page.getDone();
      }
      assertThat(seen).containsExactlyElementsOf(ids.stream().sorted().toList());
      ListResponseApplicationOut desc =
          s.getApplication().list(listOptions(250L, null, Ordering.DESCENDING));
      assertThat(desc.getData().get(0).getId()).isEqualTo(seen.get(seen.size() - 1));
      assertThat(desc.getDone()).isTrue();
    }
  }

  @Test
  void missing_name_is_422_with_the_field_and_creates_nothing() throws Exception {
    int before = svix.getApplication().list(listOptions(250L, null, null)).getData().size();
    TestHerald.Resp r = herald.call("POST", "/api/v1/app", "{\"uid\":\"x-noname\"}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).contains("\"loc\":[\"body\",\"name\"]").contains("field required");
    TestHerald.Resp wrongType = herald.call("POST", "/api/v1/app", "{\"name\":12}");
    assertThat(wrongType.status()).isEqualTo(422);
    assertThat(wrongType.body()).contains("str type expected");
    TestHerald.Resp malformed = herald.call("POST", "/api/v1/app", "{\"name\":");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body()).contains("\"code\":\"invalid_json\"");
    int after = svix.getApplication().list(listOptions(250L, null, null)).getData().size();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void missing_or_forged_token_is_401() {
    TestHerald.Resp none = herald.call("GET", "/api/v1/app", null, Map.of());
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body()).contains("\"code\":\"authentication_failed\"");
    TestHerald.Resp forged =
        herald.call(
            "GET",
            "/api/v1/app",
            null,
            Map.of(
                "Authorization",
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcmdfMjNyYjhZZEdxTVQwcUl6cGdHd2RYZkhpck11In0.AAAA"));
    assertThat(forged.status()).isEqualTo(401);
  }

  @Test
  void app_token_sees_only_its_app() throws Exception {
    ApplicationOut mine = svix.getApplication().create(new ApplicationIn().name("Mine"));
    ApplicationOut other = svix.getApplication().create(new ApplicationIn().name("Other"));
    String token =
        svix.getAuthentication().appPortalAccess(mine.getId(), new AppPortalAccessIn()).getToken();
    Svix scoped = herald.svix(token);
    assertThat(scoped.getApplication().get(mine.getId()).getName()).isEqualTo("Mine");
    assertThatThrownBy(() -> scoped.getApplication().get(other.getId()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThatThrownBy(() -> scoped.getApplication().list())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }

  @Test
  void repeated_idempotency_key_replays_the_first_answer() throws Exception {
    Map<String, String> headers =
        Map.of("Authorization", "Bearer " + herald.orgToken(), "idempotency-key", uid("k"));
    TestHerald.Resp first = herald.call("POST", "/api/v1/app", "{\"name\":\"Idem\"}", headers);
    TestHerald.Resp second = herald.call("POST", "/api/v1/app", "{\"name\":\"Idem\"}", headers);
    assertThat(first.status()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.body()).isEqualTo(first.body());
  }

  @Test
  void oversize_body_is_413_and_creates_nothing() {
    String big = "{\"name\":\"" + "x".repeat(1_100_000) + "\"}";
    TestHerald.Resp r =
        herald.call(
            "POST",
            "/api/v1/app",
            big,
            Map.of("Authorization", "Bearer " + herald.orgToken(), "Expect", "100-continue"));
    assertThat(r.status()).isEqualTo(413);
  }
}
