package dev.herald.eventtype;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.api.EventTypeDeleteOptions;
import com.svix.api.EventTypeListOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.ApplicationIn;
import com.svix.models.EventTypeIn;
import com.svix.models.EventTypeOut;
import com.svix.models.EventTypePatch;
import com.svix.models.EventTypeUpdate;
import com.svix.models.ListResponseEventTypeOut;
import com.svix.models.Ordering;
import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Svix's Event Type resource, driven with the official SDK and raw HTTP against a real Herald. */
class EventTypeApiTest {
  static final Map<String, Object> SCHEMAS =
      Map.of(
          "1",
          Map.of(
              "title", "Invoice Paid",
              "type", "object",
              "required", List.of("invoiceId")));

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

  static String name(String base) {
    return base + "." + System.nanoTime();
  }

  static EventTypeListOptions options(
      Long limit, String iterator, Ordering order, Boolean archived, Boolean content) {
    EventTypeListOptions o = new EventTypeListOptions();
    o.setLimit(limit);
    o.setIterator(iterator);
    o.setOrder(order);
    o.setIncludeArchived(archived);
    o.setWithContent(content);
    return o;
  }

  static List<String> names(ListResponseEventTypeOut page) {
    return page.getData().stream().map(EventTypeOut::getName).toList();
  }

  static void assertStatus(int code, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(code));
  }

  static String raw(String name) {
    TestHerald.Resp r = herald.call("GET", "/api/v1/event-type/" + name, null);
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  @Test
  void created_event_type_is_read_back_by_name_with_its_schemas() throws Exception {
    String name = name("invoice.paid");
    EventTypeOut created =
        svix.getEventType()
            .create(
                new EventTypeIn()
                    .name(name)
                    .description("An invoice was paid")
                    .deprecated(true)
                    .featureFlag("beta-flag")
                    .schemas(SCHEMAS));
    assertThat(created.getName()).isEqualTo(name);
    assertThat(created.getDescription()).isEqualTo("An invoice was paid");
    assertThat(created.getArchived()).isFalse();
    assertThat(created.getDeprecated()).isTrue();
    assertThat(created.getFeatureFlag()).isEqualTo("beta-flag");
    assertThat(created.getSchemas()).isEqualTo(SCHEMAS);
    assertThat(created.getCreatedAt()).isEqualTo(created.getUpdatedAt());

    EventTypeOut read = svix.getEventType().get(name);
    assertThat(read.getSchemas()).isEqualTo(SCHEMAS);
    assertThat(read.getCreatedAt()).isEqualTo(created.getCreatedAt());
    assertThat(raw(name))
        .startsWith("{\"name\":\"" + name + "\",\"description\":\"An invoice was paid\"")
        .contains("\"schemas\":{\"1\":{")
        .contains("\"required\":[\"invoiceId\"]");
  }

  @Test
  void list_pages_by_name_forwards_backwards_and_in_descending_order() throws Exception {
    try (TestHerald own = TestHerald.start()) {
      Svix s = own.svix();
      List<String> made = List.of("e", "b", "g", "a", "d", "c", "f");
      for (String n : made) {
        s.getEventType().create(new EventTypeIn().name(n).description("type " + n));
      }
      List<String> seen = new ArrayList<>();
      List<ListResponseEventTypeOut> pages = new ArrayList<>();
      String iterator = null;
      for (int i = 0; i < 3; i++) {
        ListResponseEventTypeOut page =
            s.getEventType().list(options(3L, iterator, null, null, null));
        pages.add(page);
        seen.addAll(names(page));
        iterator = page.getIterator();
      }
      assertThat(seen).containsExactly("a", "b", "c", "d", "e", "f", "g");
      assertThat(pages.stream().map(ListResponseEventTypeOut::getDone))
          .containsExactly(false, false, true);
      assertThat(pages.get(1).getIterator()).isEqualTo("f");

      ListResponseEventTypeOut back =
          s.getEventType().list(options(3L, pages.get(1).getPrevIterator(), null, null, null));
      assertThat(names(back)).containsExactly("a", "b", "c");

      ListResponseEventTypeOut desc =
          s.getEventType().list(options(3L, null, Ordering.DESCENDING, null, null));
      assertThat(names(desc)).containsExactly("g", "f", "e");
      ListResponseEventTypeOut desc2 =
          s.getEventType().list(options(3L, desc.getIterator(), Ordering.DESCENDING, null, null));
      assertThat(names(desc2)).containsExactly("d", "c", "b");
      assertThat(desc2.getDone()).isFalse();
    }
  }

  @Test
  void list_hides_archived_types_and_schemas_unless_asked() throws Exception {
    try (TestHerald own = TestHerald.start()) {
      Svix s = own.svix();
      s.getEventType().create(new EventTypeIn().name("kept").description("k").schemas(SCHEMAS));
      s.getEventType().create(new EventTypeIn().name("old").description("o").schemas(SCHEMAS));
      s.getEventType().delete("old");

      ListResponseEventTypeOut plain = s.getEventType().list();
      assertThat(names(plain)).containsExactly("kept");
      assertThat(plain.getData().get(0).getSchemas()).isNull();
      assertThat(plain.getDone()).isTrue();

      ListResponseEventTypeOut all = s.getEventType().list(options(null, null, null, true, true));
      assertThat(names(all)).containsExactly("kept", "old");
      assertThat(all.getData().get(1).getArchived()).isTrue();
      assertThat(all.getData()).allSatisfy(e -> assertThat(e.getSchemas()).isEqualTo(SCHEMAS));

      TestHerald.Resp rawList =
          own.call("GET", "/api/v1/event-type?include_archived=false&with_content=false", null);
      assertThat(rawList.body()).contains("\"schemas\":null").doesNotContain("\"old\"");
      TestHerald.Resp bad = own.call("GET", "/api/v1/event-type?include_archived=yes", null);
      assertThat(bad.status()).isEqualTo(422);
      assertThat(bad.body()).contains("\"loc\":[\"query\",\"include_archived\"]");
    }
  }

  @Test
  void put_creates_with_201_then_replaces_with_200() throws Exception {
    String name = name("user.signup");
    TestHerald.Resp created =
        herald.call(
            "PUT",
            "/api/v1/event-type/" + name,
            "{\"description\":\"first\",\"featureFlag\":\"f1\",\"schemas\":{\"1\":{}}}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body()).contains("\"name\":\"" + name + "\"", "\"schemas\":{\"1\":{}}");

    TestHerald.Resp replaced =
        herald.call("PUT", "/api/v1/event-type/" + name, "{\"description\":\"second\"}");
    assertThat(replaced.status()).isEqualTo(200);
    EventTypeOut read = svix.getEventType().get(name);
    assertThat(read.getDescription()).isEqualTo("second");
    assertThat(read.getFeatureFlag()).isNull();
    assertThat(read.getSchemas()).isNull();

    EventTypeOut viaSdk =
        svix.getEventType()
            .update(name, new EventTypeUpdate().description("third").deprecated(true));
    assertThat(viaSdk.getDescription()).isEqualTo("third");
    assertThat(viaSdk.getDeprecated()).isTrue();
    assertThat(viaSdk.getCreatedAt()).isEqualTo(read.getCreatedAt());
  }

  @Test
  void patch_changes_only_the_given_fields_and_can_clear_flag_and_schemas() throws Exception {
    String name = name("order.shipped");
    svix.getEventType()
        .create(
            new EventTypeIn().name(name).description("shipped").featureFlag("ff").schemas(SCHEMAS));
    EventTypeOut patched =
        svix.getEventType().patch(name, new EventTypePatch().description("sent").deprecated(true));
    assertThat(patched.getDescription()).isEqualTo("sent");
    assertThat(patched.getDeprecated()).isTrue();
    assertThat(patched.getFeatureFlag()).isEqualTo("ff");
    assertThat(patched.getSchemas()).isEqualTo(SCHEMAS);

    TestHerald.Resp cleared =
        herald.call(
            "PATCH", "/api/v1/event-type/" + name, "{\"featureFlag\":null,\"schemas\":null}");
    assertThat(cleared.status()).isEqualTo(200);
    EventTypeOut read = svix.getEventType().get(name);
    assertThat(read.getFeatureFlag()).isNull();
    assertThat(read.getSchemas()).isNull();
    assertThat(read.getDescription()).isEqualTo("sent");
    assertThat(read.getDeprecated()).isTrue();
  }

  @Test
  void delete_archives_and_expunge_removes_for_good() throws Exception {
    String name = name("user.deleted");
    svix.getEventType().create(new EventTypeIn().name(name).description("gone soon"));
    svix.getEventType().delete(name);
    EventTypeOut archived = svix.getEventType().get(name);
    assertThat(archived.getArchived()).isTrue();
    assertThat(archived.getDescription()).isEqualTo("gone soon");
    assertThat(names(svix.getEventType().list(options(250L, null, null, null, null))))
        .doesNotContain(name);
    assertThat(names(svix.getEventType().list(options(250L, null, null, true, null))))
        .contains(name);

    EventTypeDeleteOptions expunge = new EventTypeDeleteOptions();
    expunge.setExpunge(true);
    svix.getEventType().delete(name, expunge);
    assertStatus(404, () -> svix.getEventType().get(name));
    assertThat(names(svix.getEventType().list(options(250L, null, null, true, null))))
        .doesNotContain(name);
    assertStatus(404, () -> svix.getEventType().delete(name, expunge));
  }

  @Test
  void creating_an_archived_name_brings_it_back_with_the_new_fields() throws Exception {
    String name = name("user.revived");
    EventTypeOut first =
        svix.getEventType()
            .create(new EventTypeIn().name(name).description("old").schemas(SCHEMAS));
    svix.getEventType().delete(name);
    TestHerald.Resp again =
        herald.call(
            "POST", "/api/v1/event-type", "{\"name\":\"" + name + "\",\"description\":\"new\"}");
    assertThat(again.status()).isEqualTo(201);
    EventTypeOut revived = svix.getEventType().get(name);
    assertThat(revived.getArchived()).isFalse();
    assertThat(revived.getDescription()).isEqualTo("new");
    assertThat(revived.getSchemas()).isNull();
    assertThat(revived.getCreatedAt()).isEqualTo(first.getCreatedAt());
    assertThat(names(svix.getEventType().list(options(250L, null, null, null, null))))
        .contains(name);
  }

  @Test
  void duplicate_live_name_is_409_and_changes_nothing() throws Exception {
    String name = name("dup");
    svix.getEventType().create(new EventTypeIn().name(name).description("original"));
    String before = raw(name);
    TestHerald.Resp r =
        herald.call(
            "POST", "/api/v1/event-type", "{\"name\":\"" + name + "\",\"description\":\"other\"}");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.body()).contains("\"code\":\"conflict\"").contains("already exists");
    assertStatus(
        409, () -> svix.getEventType().create(new EventTypeIn().name(name).description("sdk")));
    assertThat(raw(name)).isEqualTo(before);
  }

  @Test
  void invalid_name_is_422_at_body_name_and_creates_nothing() throws Exception {
    int before = svix.getEventType().list(options(250L, null, null, true, null)).getData().size();
    TestHerald.Resp pattern =
        herald.call("POST", "/api/v1/event-type", "{\"name\":\"bad name!\",\"description\":\"d\"}");
    assertThat(pattern.status()).isEqualTo(422);
    assertThat(pattern.body())
        .contains("\"loc\":[\"body\",\"name\"]")
        .contains("\"type\":\"value_error.str.regex\"");
    TestHerald.Resp tooLong =
        herald.call(
            "POST",
            "/api/v1/event-type",
            "{\"name\":\"" + "a".repeat(257) + "\",\"description\":\"d\"}");
    assertThat(tooLong.status()).isEqualTo(422);
    assertThat(tooLong.body()).contains("\"type\":\"value_error.any_str.max_length\"");
    TestHerald.Resp badFlag =
        herald.call(
            "POST",
            "/api/v1/event-type",
            "{\"name\":\"" + name("ok") + "\",\"description\":\"d\",\"featureFlag\":\"no way\"}");
    assertThat(badFlag.status()).isEqualTo(422);
    assertThat(badFlag.body()).contains("\"loc\":[\"body\",\"featureFlag\"]");
    TestHerald.Resp badPath =
        herald.call("PUT", "/api/v1/event-type/bad%20name", "{\"description\":\"d\"}");
    assertThat(badPath.status()).isEqualTo(422);
    assertThat(badPath.body()).contains("\"loc\":[\"path\",\"event_type_name\"]");
    int after = svix.getEventType().list(options(250L, null, null, true, null)).getData().size();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void schemas_that_are_not_objects_are_422_and_change_nothing() throws Exception {
    String name = name("schema.check");
    TestHerald.Resp notObject =
        herald.call(
            "POST",
            "/api/v1/event-type",
            "{\"name\":\"" + name + "\",\"description\":\"d\",\"schemas\":\"x\"}");
    assertThat(notObject.status()).isEqualTo(422);
    assertThat(notObject.body())
        .contains("\"loc\":[\"body\",\"schemas\"]")
        .contains("\"type\":\"type_error.dict\"");
    TestHerald.Resp versionNotObject =
        herald.call(
            "POST",
            "/api/v1/event-type",
            "{\"name\":\"" + name + "\",\"description\":\"d\",\"schemas\":{\"1\":5}}");
    assertThat(versionNotObject.status()).isEqualTo(422);
    assertThat(versionNotObject.body()).contains("\"loc\":[\"body\",\"schemas\",\"1\"]");
    assertStatus(404, () -> svix.getEventType().get(name));

    svix.getEventType().create(new EventTypeIn().name(name).description("d").schemas(SCHEMAS));
    String before = raw(name);
    TestHerald.Resp patch =
        herald.call(
            "PATCH", "/api/v1/event-type/" + name, "{\"schemas\":[1],\"description\":\"x\"}");
    assertThat(patch.status()).isEqualTo(422);
    assertThat(patch.body()).contains("\"loc\":[\"body\",\"schemas\"]");
    TestHerald.Resp put =
        herald.call(
            "PUT",
            "/api/v1/event-type/" + name,
            "{\"description\":\"x\",\"schemas\":{\"v\":true}}");
    assertThat(put.status()).isEqualTo(422);
    assertThat(put.body()).contains("\"loc\":[\"body\",\"schemas\",\"v\"]");
    assertThat(raw(name)).isEqualTo(before);
  }

  @Test
  void missing_or_bad_description_is_422_and_changes_nothing() throws Exception {
    String name = name("no.description");
    TestHerald.Resp post = herald.call("POST", "/api/v1/event-type", "{\"name\":\"" + name + "\"}");
    assertThat(post.status()).isEqualTo(422);
    assertThat(post.body())
        .contains("\"loc\":[\"body\",\"description\"]")
        .contains("field required");
    TestHerald.Resp put = herald.call("PUT", "/api/v1/event-type/" + name, "{\"archived\":true}");
    assertThat(put.status()).isEqualTo(422);
    assertThat(put.body()).contains("\"loc\":[\"body\",\"description\"]");
    TestHerald.Resp control =
        herald.call(
            "POST",
            "/api/v1/event-type",
            "{\"name\":\"" + name + "\",\"description\":\"bell\\u0007\"}");
    assertThat(control.status()).isEqualTo(422);
    assertThat(control.body()).contains("\"type\":\"illegal_character\"");
    assertStatus(404, () -> svix.getEventType().get(name));

    svix.getEventType().create(new EventTypeIn().name(name).description("now it has one"));
    String before = raw(name);
    TestHerald.Resp nulled =
        herald.call("PATCH", "/api/v1/event-type/" + name, "{\"description\":null}");
    assertThat(nulled.status()).isEqualTo(422);
    assertThat(nulled.body()).contains("\"loc\":[\"body\",\"description\"]");
    TestHerald.Resp badBool =
        herald.call("PATCH", "/api/v1/event-type/" + name, "{\"archived\":\"yes\"}");
    assertThat(badBool.status()).isEqualTo(422);
    assertThat(raw(name)).isEqualTo(before);
  }

  @Test
  void app_token_may_read_event_types_but_not_write_them() throws Exception {
    String name = name("portal.visible");
    svix.getEventType().create(new EventTypeIn().name(name).description("seen by the portal"));
    String app = svix.getApplication().create(new ApplicationIn().name("Portal")).getId();
    String token =
        svix.getAuthentication().appPortalAccess(app, new AppPortalAccessIn()).getToken();
    Svix scoped = herald.svix(token);
    assertThat(scoped.getEventType().get(name).getDescription()).isEqualTo("seen by the portal");
    assertThat(names(scoped.getEventType().list(options(250L, null, null, null, null))))
        .contains(name);

    String before = raw(name);
    String created = name("portal.made");
    assertStatus(
        403, () -> scoped.getEventType().create(new EventTypeIn().name(created).description("x")));
    Map<String, String> auth = Map.of("Authorization", "Bearer " + token);
    TestHerald.Resp post =
        herald.call(
            "POST",
            "/api/v1/event-type",
            "{\"name\":\"" + created + "\",\"description\":\"x\"}",
            auth);
    assertThat(post.status()).isEqualTo(403);
    assertThat(post.body()).contains("\"code\":\"insufficient_access\"");
    String path = "/api/v1/event-type/" + name;
    assertThat(herald.call("PUT", path, "{\"description\":\"x\"}", auth).status()).isEqualTo(403);
    assertThat(herald.call("PATCH", path, "{\"description\":\"x\"}", auth).status()).isEqualTo(403);
    assertThat(herald.call("DELETE", path, null, auth).status()).isEqualTo(403);
    assertThat(raw(name)).isEqualTo(before);
    assertStatus(404, () -> svix.getEventType().get(created));
  }

  @Test
  void unknown_name_is_404_and_patch_creates_nothing() throws Exception {
    String name = name("never.made");
    String path = "/api/v1/event-type/" + name;
    TestHerald.Resp get = herald.call("GET", path, null);
    assertThat(get.status()).isEqualTo(404);
    assertThat(get.body()).contains("\"code\":\"not_found\"");
    assertThat(herald.call("PATCH", path, "{\"description\":\"x\"}").status()).isEqualTo(404);
    assertThat(herald.call("DELETE", path, null).status()).isEqualTo(404);
    assertThat(herald.call("DELETE", path + "?expunge=true", null).status()).isEqualTo(404);
    assertStatus(404, () -> svix.getEventType().delete(name));
    assertThat(herald.call("GET", path, null).status()).isEqualTo(404);
  }
}
