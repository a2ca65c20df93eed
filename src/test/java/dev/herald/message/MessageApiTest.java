package dev.herald.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.svix.Svix;
import com.svix.api.MessageCreateOptions;
import com.svix.api.MessageGetOptions;
import com.svix.api.MessageListOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.ApplicationIn;
import com.svix.models.ListResponseMessageOut;
import com.svix.models.MessageIn;
import com.svix.models.MessageOut;
import dev.herald.testing.TestHerald;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Svix's Message resource, driven with the official SDK and raw HTTP against a running Herald. */
class MessageApiTest {
  static TestHerald herald;
  static Svix svix;
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** A payload whose whitespace, key order, escapes and number forms a re-serializer would lose. */
  static final String ODD_PAYLOAD =
      "{ \"z\" : 1,\n\t\"a\":\"caf\\u00e9 ✓ 😀\",  \"n\": 1.10, \"e\":1e2, \"q\":\"\\\"\", \"x\":[ ] }";

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
    return svix.getApplication().create(new ApplicationIn().name("msgs")).getId();
  }

  static String uid(String base) {
    return base + "-" + System.nanoTime();
  }

  static MessageOut send(String app, String eventType, String payload) throws Exception {
    return svix.getMessage().create(app, new MessageIn().eventType(eventType).payload(payload));
  }

  static ListResponseMessageOut list(String app, MessageListOptions o) throws Exception {
    return svix.getMessage().list(app, o);
  }

  static List<String> ids(ListResponseMessageOut page) {
    return page.getData().stream().map(MessageOut::getId).toList();
  }

  /** How many messages the app holds, as the API lists them. */
  static int count(String app) throws Exception {
    MessageListOptions o = new MessageListOptions();
    o.setLimit(250L);
    return list(app, o).getData().size();
  }

  static TestHerald.Resp post(String app, String body) {
    return herald.call("POST", "/api/v1/app/" + app + "/msg", body);
  }

  static String json(Object value) throws Exception {
    return MAPPER.writeValueAsString(value);
  }

  static void sleepMs(long ms) throws InterruptedException {
    Thread.sleep(ms);
  }

  @Test
  void created_message_can_be_read_by_id_and_by_event_id() throws Exception {
    String app = newApp();
    String eventId = uid("evt");
    MessageOut created =
        svix.getMessage()
            .create(
                app,
                new MessageIn()
                    .eventType("user.signup")
                    .eventId(eventId)
                    .channels(Set.of("project_1"))
                    .tags(Set.of("team/a#1"))
                    .payload("{\"email\":\"a@example.com\"}"));
    assertThat(created.getId()).startsWith("msg_").hasSize(4 + 27);
    assertThat(created.getEventType()).isEqualTo("user.signup");
    assertThat(created.getEventId()).isEqualTo(eventId);
    assertThat(created.getChannels()).containsExactly("project_1");
    assertThat(created.getTags()).containsExactly("team/a#1");
    assertThat(created.getPayload()).isEqualTo(Map.of("email", "a@example.com"));
    assertThat(created.getTimestamp()).isNotNull();

    MessageOut byId = svix.getMessage().get(app, created.getId());
    MessageOut byEventId = svix.getMessage().get(app, eventId);
    assertThat(byId).isEqualTo(created);
    assertThat(byEventId).isEqualTo(created);
  }

  @Test
  void create_answers_202() throws Exception {
    String app = newApp();
    TestHerald.Resp r = post(app, "{\"eventType\":\"a\",\"payload\":{\"k\":true}}");
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.body()).contains("\"payload\":{\"k\":true}").contains("\"id\":\"msg_");
  }

  @Test
  void sdk_payload_is_stored_and_returned_byte_for_byte() throws Exception {
    String app = newApp();
    MessageOut created = send(app, "odd", ODD_PAYLOAD);
    TestHerald.Resp got =
        herald.call("GET", "/api/v1/app/" + app + "/msg/" + created.getId(), null);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body()).contains("\"payload\":" + ODD_PAYLOAD + ",\"timestamp\"");
    MessageOut viaSdk = svix.getMessage().get(app, created.getId());
    assertThat(viaSdk.getPayload()).isEqualTo(MAPPER.readValue(ODD_PAYLOAD, Map.class));
  }

  @Test
  void raw_payload_and_plain_payload_object_are_both_kept_exactly() throws Exception {
    String app = newApp();
    String rawBody =
        json(
            Map.of(
                "eventType", "raw",
                "payload", Map.of(),
                "transformationsParams", Map.of("rawPayload", ODD_PAYLOAD)));
    TestHerald.Resp raw = post(app, rawBody);
    assertThat(raw.status()).isEqualTo(202);
    assertThat(raw.body()).contains("\"payload\":" + ODD_PAYLOAD + ",");
    String rawId = MAPPER.readTree(raw.body()).get("id").textValue();

    TestHerald.Resp plain = post(app, "{\"eventType\":\"plain\",\"payload\":" + ODD_PAYLOAD + "}");
    assertThat(plain.status()).isEqualTo(202);
    String plainId = MAPPER.readTree(plain.body()).get("id").textValue();

    String rawGot = herald.call("GET", "/api/v1/app/" + app + "/msg/" + rawId, null).body();
    assertThat(rawGot).contains("\"payload\":" + ODD_PAYLOAD + ",\"timestamp\"");
    // A plain object is kept as sent too: whitespace, escapes and number spelling (1.10, 1e2).
    String plainGot = herald.call("GET", "/api/v1/app/" + app + "/msg/" + plainId, null).body();
    assertThat(plainGot).contains("\"payload\":" + ODD_PAYLOAD + ",\"timestamp\"");
  }

  @Test
  void without_content_the_payload_is_an_empty_object() throws Exception {
    String app = newApp();
    MessageCreateOptions noContent = new MessageCreateOptions();
    noContent.setWithContent(false);
    MessageOut created =
        svix.getMessage()
            .create(app, new MessageIn().eventType("quiet").payload("{\"a\":1}"), noContent);
    assertThat(created.getPayload()).isEqualTo(Map.of());

    MessageGetOptions get = new MessageGetOptions();
    get.setWithContent(false);
    assertThat(svix.getMessage().get(app, created.getId(), get).getPayload()).isEqualTo(Map.of());
    MessageListOptions o = new MessageListOptions();
    o.setWithContent(false);
    assertThat(list(app, o).getData().get(0).getPayload()).isEqualTo(Map.of());
    // The content is still there for whoever asks.
    assertThat(svix.getMessage().get(app, created.getId()).getPayload()).isEqualTo(Map.of("a", 1));
  }

  @Test
  void list_is_newest_first_and_pages_forwards_and_back() throws Exception {
    String app = newApp();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(send(app, "page", "{\"i\":" + i + "}").getId());
      sleepMs(3);
    }
    List<String> newestFirst = sent.reversed();
    List<String> seen = new ArrayList<>();
    List<ListResponseMessageOut> pages = new ArrayList<>();
    String iterator = null;
    boolean done = false;
    while (!done && pages.size() < 10) {
      MessageListOptions o = new MessageListOptions();
      o.setLimit(2L);
      o.setIterator(iterator);
      ListResponseMessageOut page = list(app, o);
      pages.add(page);
      seen.addAll(ids(page));
      iterator = page.getIterator();
      done = page.getDone();
    }
    assertThat(seen).containsExactlyElementsOf(newestFirst);
    assertThat(pages).hasSize(3);
    assertThat(pages.get(0).getDone()).isFalse();

    MessageListOptions back = new MessageListOptions();
    back.setLimit(2L);
    back.setIterator(pages.get(1).getPrevIterator());
    assertThat(ids(list(app, back))).containsExactlyElementsOf(newestFirst.subList(0, 2));
  }

  @Test
  void list_filters_by_channel_tag_and_event_types() throws Exception {
    String app = newApp();
    MessageIn base = new MessageIn().payload("{}");
    String m1 =
        svix.getMessage()
            .create(app, base.eventType("t1").channels(Set.of("a_b", "c")).tags(Set.of("x")))
            .getId();
    String m2 =
        svix.getMessage()
            .create(app, base.eventType("t2").channels(Set.of("axb")).tags(null))
            .getId();
    String m3 = svix.getMessage().create(app, base.eventType("t3").channels(null)).getId();

    MessageListOptions byChannel = new MessageListOptions();
    byChannel.setChannel("a_b");
    assertThat(ids(list(app, byChannel))).containsExactly(m1);
    MessageListOptions byTag = new MessageListOptions();
    byTag.setTag("x");
    assertThat(ids(list(app, byTag))).containsExactly(m1);
    MessageListOptions byTypes = new MessageListOptions();
    byTypes.setEventTypes(Set.of("t1", "t2"));
    assertThat(ids(list(app, byTypes))).containsExactlyInAnyOrder(m1, m2);

    TestHerald.Resp repeated =
        herald.call("GET", "/api/v1/app/" + app + "/msg?event_types=t1&event_types=t3", null);
    assertThat(repeated.status()).isEqualTo(200);
    assertThat(repeated.body()).contains(m1).contains(m3).doesNotContain(m2);
  }

  @Test
  void list_filters_by_before_and_after() throws Exception {
    String app = newApp();
    String early = send(app, "t", "{}").getId();
    sleepMs(20);
    OffsetDateTime between = OffsetDateTime.now(ZoneOffset.UTC);
    sleepMs(20);
    String late = send(app, "t", "{}").getId();

    MessageListOptions after = new MessageListOptions();
    after.setAfter(between);
    assertThat(ids(list(app, after))).containsExactly(late);
    MessageListOptions before = new MessageListOptions();
    before.setBefore(between);
    assertThat(ids(list(app, before))).containsExactly(early);
  }

  @Test
  void expunged_message_shows_an_empty_payload() throws Exception {
    String app = newApp();
    String eventId = uid("gone");
    MessageOut m =
        svix.getMessage()
            .create(app, new MessageIn().eventType("t").eventId(eventId).payload("{\"pii\":1}"));
    svix.getMessage().expungeContent(app, m.getId());
    MessageOut after = svix.getMessage().get(app, m.getId());
    assertThat(after.getPayload()).isEqualTo(Map.of());
    assertThat(after.getEventId()).isEqualTo(eventId);
    assertThatThrownBy(() -> svix.getMessage().expungeContent(app, "msg_missing"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }

  @Test
  void application_in_the_message_creates_the_app_once() throws Exception {
    String appUid = uid("made-by-msg");
    MessageOut first =
        svix.getMessage()
            .create(
                appUid,
                new MessageIn()
                    .eventType("t")
                    .payload("{}")
                    .application(new ApplicationIn().name("Made by a message")));
    var app = svix.getApplication().get(appUid);
    assertThat(app.getName()).isEqualTo("Made by a message");
    assertThat(app.getUid()).isEqualTo(appUid);
    svix.getMessage()
        .create(
            appUid,
            new MessageIn()
                .eventType("t")
                .payload("{}")
                .application(new ApplicationIn().name("Ignored")));
    assertThat(svix.getApplication().get(appUid).getName()).isEqualTo("Made by a message");
    assertThat(svix.getMessage().get(app.getId(), first.getId()).getId()).isEqualTo(first.getId());
    assertThat(count(appUid)).isEqualTo(2);
  }

  @Test
  void app_token_reaches_only_its_own_apps_messages() throws Exception {
    String mine = newApp();
    String other = newApp();
    String otherMsg = send(other, "t", "{}").getId();
    String token =
        svix.getAuthentication().appPortalAccess(mine, new AppPortalAccessIn()).getToken();
    Svix scoped = herald.svix(token);
    MessageOut own = scoped.getMessage().create(mine, new MessageIn().eventType("t").payload("{}"));
    assertThat(scoped.getMessage().get(mine, own.getId()).getId()).isEqualTo(own.getId());
    assertThatThrownBy(() -> scoped.getMessage().get(other, otherMsg))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThatThrownBy(
            () -> scoped.getMessage().create(other, new MessageIn().eventType("t").payload("{}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThatThrownBy(() -> scoped.getMessage().list(other))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThat(count(other)).isEqualTo(1);
  }
}
