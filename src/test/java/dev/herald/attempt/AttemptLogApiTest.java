package dev.herald.attempt;

import static dev.herald.attempt.Harness.eventually;
import static dev.herald.attempt.Harness.json;
import static dev.herald.attempt.Harness.path;
import static dev.herald.attempt.Harness.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.svix.api.MessageAttemptListAttemptedDestinationsOptions;
import com.svix.api.MessageAttemptListAttemptedMessagesOptions;
import com.svix.api.MessageAttemptListByEndpointOptions;
import com.svix.api.MessageAttemptListByMsgOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.EndpointMessageOut;
import com.svix.models.EndpointOut;
import com.svix.models.MessageAttemptOut;
import com.svix.models.MessageAttemptTriggerType;
import com.svix.models.MessageEndpointOut;
import com.svix.models.MessageOut;
import com.svix.models.MessageStatus;
import com.svix.models.StatusCodeClass;
import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The attempt log as the SDK reads it: attempts, attempted messages and destinations. */
class AttemptLogApiTest {
  static Harness h;

  @BeforeAll
  static void start() {
    h = new Harness();
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  static List<MessageAttemptOut> byMsg(String app, String msg, MessageAttemptListByMsgOptions o)
      throws Exception {
    return h.svix.getMessageAttempt().listByMsg(app, msg, o).getData();
  }

  static MessageAttemptListByMsgOptions msgOptions() {
    return new MessageAttemptListByMsgOptions();
  }

  @Test
  void attempts_appear_after_delivery_with_status_code_and_response_text() throws Exception {
    String app = h.app();
    String p = path("ok");
    h.reply(p, r -> status(200, "thanks, got it"));
    EndpointOut ep = h.endpoint(app, p);
    MessageOut msg = h.send(app, "user.signup", "{\"a\":1}");
    assertThat(h.await(p, 1)).isTrue();
    assertThat(eventually(() -> byMsg(app, msg.getId(), msgOptions()).size() == 1)).isTrue();

    MessageAttemptOut a = byMsg(app, msg.getId(), msgOptions()).get(0);
    assertThat(a.getId()).startsWith("atmpt_");
    assertThat(a.getMsgId()).isEqualTo(msg.getId());
    assertThat(a.getEndpointId()).isEqualTo(ep.getId());
    assertThat(a.getUrl().toString()).isEqualTo(h.receiver.url(p));
    assertThat(a.getStatus()).isEqualTo(MessageStatus.SUCCESS);
    assertThat(a.getResponseStatusCode()).isEqualTo((short) 200);
    assertThat(a.getResponse()).isEqualTo("thanks, got it");
    assertThat(a.getTriggerType()).isEqualTo(MessageAttemptTriggerType.SCHEDULED);
    assertThat(a.getTimestamp()).isNotNull();

    var byEndpoint = h.svix.getMessageAttempt().listByEndpoint(app, ep.getId()).getData();
    assertThat(byEndpoint).extracting(MessageAttemptOut::getId).containsExactly(a.getId());
    // The SDK's with_msg adds the message, without its payload; with_content=false drops the body.
    var o = new MessageAttemptListByEndpointOptions();
    o.setWithMsg(true);
    o.setWithContent(false);
    MessageAttemptOut withMsg =
        h.svix.getMessageAttempt().listByEndpoint(app, ep.getId(), o).getData().get(0);
    assertThat(withMsg.getMsg().getId()).isEqualTo(msg.getId());
    assertThat(withMsg.getMsg().getEventType()).isEqualTo("user.signup");
    assertThat(withMsg.getResponse()).isEmpty();
    // By eventId and endpoint uid too.
    assertThat(h.svix.getMessageAttempt().get(app, msg.getId(), a.getId()).getResponse())
        .isEqualTo("thanks, got it");
  }

  @Test
  void attempts_are_newest_first_and_filter_by_status_code_class_and_endpoint() throws Exception {
    String app = h.app();
    String flaky = path("flaky");
    String fine = path("fine");
    AtomicInteger calls = new AtomicInteger();
    h.reply(flaky, r -> calls.incrementAndGet() <= 2 ? status(500, "boom") : status(200, "ok"));
    EndpointOut a = h.endpoint(app, flaky);
    EndpointOut b = h.endpoint(app, fine);
    MessageOut msg = h.send(app, "t", "{}");
    assertThat(h.await(flaky, 3)).isTrue();
    assertThat(eventually(() -> byMsg(app, msg.getId(), msgOptions()).size() == 4)).isTrue();

    List<MessageAttemptOut> all = byMsg(app, msg.getId(), msgOptions());
    assertThat(all.get(0).getEndpointId()).isEqualTo(a.getId());
    assertThat(all.get(0).getStatus()).isEqualTo(MessageStatus.SUCCESS);
    assertThat(all).filteredOn(x -> x.getEndpointId().equals(b.getId())).hasSize(1);
    assertThat(all)
        .extracting(MessageAttemptOut::getTimestamp)
        .isSortedAccordingTo(java.util.Comparator.reverseOrder());

    var o5 = msgOptions();
    o5.setStatusCodeClass(StatusCodeClass.CODE5XX);
    assertThat(byMsg(app, msg.getId(), o5))
        .extracting(MessageAttemptOut::getResponse)
        .containsExactly("boom", "boom");
    var fail = msgOptions();
    fail.setStatus(MessageStatus.FAIL);
    assertThat(byMsg(app, msg.getId(), fail)).hasSize(2);
    var o2 = msgOptions();
    o2.setStatusCodeClass(StatusCodeClass.CODE2XX);
    assertThat(byMsg(app, msg.getId(), o2)).hasSize(2);
    var none = msgOptions();
    none.setStatusCodeClass(StatusCodeClass.CODE_NONE);
    assertThat(byMsg(app, msg.getId(), none)).isEmpty();
    var onlyB = msgOptions();
    onlyB.setEndpointId(b.getId());
    assertThat(byMsg(app, msg.getId(), onlyB))
        .extracting(MessageAttemptOut::getEndpointId)
        .containsExactly(b.getId());
    var other = msgOptions();
    other.setEventTypes(java.util.Set.of("not.this"));
    assertThat(byMsg(app, msg.getId(), other)).isEmpty();

    // Paging one by one visits every attempt once, in the same order.
    List<String> seen = new ArrayList<>();
    var page = msgOptions();
    page.setLimit(1L);
    while (true) {
      var resp = h.svix.getMessageAttempt().listByMsg(app, msg.getId(), page);
      resp.getData().forEach(x -> seen.add(x.getId()));
      if (resp.getDone()) {
        break;
      }
      page.setIterator(resp.getIterator());
    }
    assertThat(seen).containsExactlyElementsOf(all.stream().map(MessageAttemptOut::getId).toList());
  }

  @Test
  void attempted_messages_and_destinations_show_pending_with_next_attempt_and_success()
      throws Exception {
    String app = h.app();
    String slow = path("busy");
    String ok = path("ok");
    h.reply(slow, r -> status(429, "slow down")); // a 429 waits at least 60 s
    EndpointOut busy = h.endpoint(app, slow);
    EndpointOut fine = h.endpoint(app, ok);
    MessageOut msg = h.send(app, "order.paid", "{\"n\":7}");
    assertThat(h.await(slow, 1)).isTrue();
    assertThat(h.await(ok, 1)).isTrue();
    assertThat(
            eventually(
                () ->
                    h.svix
                            .getMessageAttempt()
                            .listAttemptedMessages(app, busy.getId())
                            .getData()
                            .get(0)
                            .getStatus()
                        == MessageStatus.PENDING))
        .isTrue();

    EndpointMessageOut pending =
        h.svix.getMessageAttempt().listAttemptedMessages(app, busy.getId()).getData().get(0);
    assertThat(pending.getId()).isEqualTo(msg.getId());
    assertThat(pending.getEventType()).isEqualTo("order.paid");
    assertThat(pending.getNextAttempt()).isAfter(java.time.OffsetDateTime.now().plusSeconds(30));
    assertThat(
            eventually(
                () ->
                    h.svix
                            .getMessageAttempt()
                            .listAttemptedMessages(app, fine.getId())
                            .getData()
                            .get(0)
                            .getStatus()
                        == MessageStatus.SUCCESS))
        .isTrue();
    EndpointMessageOut done =
        h.svix.getMessageAttempt().listAttemptedMessages(app, fine.getId()).getData().get(0);
    assertThat(done.getNextAttempt()).isNull();
    var successOnly = new MessageAttemptListAttemptedMessagesOptions();
    successOnly.setStatus(MessageStatus.SUCCESS);
    assertThat(
            h.svix
                .getMessageAttempt()
                .listAttemptedMessages(app, busy.getId(), successOnly)
                .getData())
        .isEmpty();

    List<MessageEndpointOut> dests =
        h.svix.getMessageAttempt().listAttemptedDestinations(app, msg.getId()).getData();
    assertThat(dests)
        .extracting(MessageEndpointOut::getId)
        .containsExactlyInAnyOrder(busy.getId(), fine.getId());
    MessageEndpointOut busyDest =
        dests.stream().filter(d -> d.getId().equals(busy.getId())).findFirst().orElseThrow();
    assertThat(busyDest.getStatus()).isEqualTo(MessageStatus.PENDING);
    assertThat(busyDest.getNextAttempt()).isNotNull();
    assertThat(busyDest.getUrl().toString()).isEqualTo(h.receiver.url(slow));
    var one = new MessageAttemptListAttemptedDestinationsOptions();
    one.setLimit(1L);
    var first = h.svix.getMessageAttempt().listAttemptedDestinations(app, msg.getId(), one);
    assertThat(first.getData()).hasSize(1);
    assertThat(first.getDone()).isFalse();

    // The payload is shown unless with_content=false.
    JsonNode raw =
        json(
            h.call("GET", "/api/v1/app/" + app + "/endpoint/" + fine.getId() + "/msg", null)
                .body());
    assertThat(raw.at("/data/0/payload/n").asInt()).isEqualTo(7);
    assertThat(raw.at("/data/0/statusText").asText()).isEqualTo("success");
    JsonNode bare =
        json(
            h.call(
                    "GET",
                    "/api/v1/app/" + app + "/endpoint/" + fine.getId() + "/msg?with_content=false",
                    null)
                .body());
    assertThat(bare.at("/data/0/payload").toString()).isEqualTo("{}");
  }

  @Test
  void get_and_expunge_an_attempt_and_their_refusals() throws Exception {
    String app = h.app();
    String p = path("secret");
    h.reply(p, r -> status(200, "token=hunter2"));
    h.endpoint(app, p);
    MessageOut msg = h.send(app, "t", "{}");
    assertThat(eventually(() -> byMsg(app, msg.getId(), msgOptions()).size() == 1)).isTrue();
    String id = byMsg(app, msg.getId(), msgOptions()).get(0).getId();
    String base = "/api/v1/app/" + app + "/msg/" + msg.getId() + "/attempt/";

    TestHerald.Resp missing = h.call("GET", base + "atmpt_2aaaaaaaaaaaaaaaaaaaaaaaaaa", null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(json(missing.body()).get("code").asText()).isEqualTo("not_found");
    TestHerald.Resp noExpunge =
        h.call("DELETE", base + "atmpt_2aaaaaaaaaaaaaaaaaaaaaaaaaa/content", null);
    assertThat(noExpunge.status()).isEqualTo(404);
    String appToken = h.herald.herald().tokens().appToken(TestHerald.ORG, app);
    TestHerald.Resp forbidden =
        h.herald.call(
            "DELETE", base + id + "/content", null, Map.of("Authorization", "Bearer " + appToken));
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(h.svix.getMessageAttempt().get(app, msg.getId(), id).getResponse())
        .isEqualTo("token=hunter2");

    h.svix.getMessageAttempt().expungeContent(app, msg.getId(), id);
    MessageAttemptOut after = h.svix.getMessageAttempt().get(app, msg.getId(), id);
    assertThat(after.getResponse()).isEqualTo("EXPUNGED");
    assertThat(after.getResponseStatusCode()).isEqualTo((short) 200);
    // An app token reads its own app's attempts, and no other app's.
    assertThat(h.herald.svix(appToken).getMessageAttempt().get(app, msg.getId(), id).getId())
        .isEqualTo(id);
    String otherApp = h.app();
    assertThatThrownBy(
            () -> h.herald.svix(appToken).getMessageAttempt().listByMsg(otherApp, msg.getId()))
        .isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).getCode()).isEqualTo(404));
  }

  @Test
  void attempt_lists_refuse_bad_filters_and_unknown_names() throws Exception {
    String app = h.app();
    String p = path("filters");
    EndpointOut ep = h.endpoint(app, p);
    MessageOut msg = h.send(app, "t", "{}");
    String byEp = "/api/v1/app/" + app + "/attempt/endpoint/" + ep.getId();
    String byMsg = "/api/v1/app/" + app + "/attempt/msg/" + msg.getId();
    Map<String, String> refused =
        Map.of(
            byEp + "?status_code_class=42", "status_code_class",
            byEp + "?status=9", "status",
            byMsg + "?before=yesterday", "before",
            byMsg + "?channel=has%20space", "channel",
            byEp + "?iterator=atmpt_2aaaaaaaaaaaaaaaaaaaaaaaaaa", "iterator",
            byEp + "?with_content=maybe", "with_content");
    for (var e : refused.entrySet()) {
      TestHerald.Resp r = h.call("GET", e.getKey(), null);
      assertThat(r.status()).as(e.getKey()).isEqualTo(422);
      assertThat(json(r.body()).at("/detail/0/loc/1").asText()).isEqualTo(e.getValue());
    }
    for (String unknown :
        List.of(
            "/api/v1/app/" + app + "/attempt/endpoint/ep_2aaaaaaaaaaaaaaaaaaaaaaaaaa",
            "/api/v1/app/" + app + "/attempt/msg/msg_2aaaaaaaaaaaaaaaaaaaaaaaaaa",
            byMsg + "?endpoint_id=no-such-endpoint",
            "/api/v1/app/" + app + "/msg/nope/endpoint",
            "/api/v1/app/" + app + "/endpoint/nope/msg",
            "/api/v1/app/" + app + "/endpoint/nope/stats",
            "/api/v1/app/app_2aaaaaaaaaaaaaaaaaaaaaaaaaa/attempt/msg/" + msg.getId())) {
      TestHerald.Resp r = h.call("GET", unknown, null);
      assertThat(r.status()).as(unknown).isEqualTo(404);
      assertThat(json(r.body()).get("code").asText()).isEqualTo("not_found");
    }
  }
}
