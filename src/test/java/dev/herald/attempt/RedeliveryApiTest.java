package dev.herald.attempt;

import static dev.herald.attempt.Harness.eventually;
import static dev.herald.attempt.Harness.json;
import static dev.herald.attempt.Harness.path;
import static dev.herald.attempt.Harness.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.api.EndpointGetStatsOptions;
import com.svix.models.BackgroundTaskStatus;
import com.svix.models.BackgroundTaskType;
import com.svix.models.BulkReplayIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.EndpointStats;
import com.svix.models.EventExampleIn;
import com.svix.models.MessageAttemptOut;
import com.svix.models.MessageAttemptTriggerType;
import com.svix.models.MessageOut;
import com.svix.models.MessageStatus;
import com.svix.models.RecoverIn;
import com.svix.models.RecoverOut;
import com.svix.models.ReplayIn;
import com.svix.models.ReplayOut;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Resend, recover, replays, stats and send-example, counted at a real receiver. */
class RedeliveryApiTest {
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

  static List<MessageAttemptOut> attempts(String app, String msg) throws Exception {
    return h.svix.getMessageAttempt().listByMsg(app, msg).getData();
  }

  static String resendPath(String app, String msg, String ep) {
    return "/api/v1/app/" + app + "/msg/" + msg + "/endpoint/" + ep + "/resend";
  }

  @Test
  void resend_makes_one_more_request_with_the_same_svix_id_and_a_manual_attempt() throws Exception {
    String app = h.app();
    String p = path("resend");
    EndpointOut ep = h.endpoint(app, p);
    MessageOut msg = h.send(app, "t", "{\"x\":1}");
    assertThat(h.await(p, 1)).isTrue();
    assertThat(eventually(() -> attempts(app, msg.getId()).size() == 1)).isTrue();

    // The SDK 1.99 builds this POST without a body, which its HTTP client refuses; raw HTTP can.
    assertThatThrownBy(() -> h.svix.getMessageAttempt().resend(app, msg.getId(), ep.getId()))
        .isInstanceOf(IllegalArgumentException.class);
    Thread.sleep(300);
    assertThat(h.receiver.count(p)).isEqualTo(1);
    TestHerald.Resp r = h.call("POST", resendPath(app, msg.getId(), ep.getId()), null);
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.body()).isEqualTo("{}");
    assertThat(h.await(p, 2)).isTrue();
    assertThat(h.at(p)).extracting(x -> x.header("svix-id")).containsOnly(msg.getId());
    assertThat(h.at(p).get(1).body()).isEqualTo("{\"x\":1}");
    assertThat(eventually(() -> attempts(app, msg.getId()).size() == 2)).isTrue();
    MessageAttemptOut newest = attempts(app, msg.getId()).get(0);
    assertThat(newest.getTriggerType()).isEqualTo(MessageAttemptTriggerType.MANUAL);
    assertThat(newest.getStatus()).isEqualTo(MessageStatus.SUCCESS);
    Thread.sleep(1500);
    assertThat(h.receiver.count(p)).isEqualTo(2);
  }

  @Test
  void failed_manual_resend_is_not_retried() throws Exception {
    String app = h.app();
    String p = path("resend-fail");
    AtomicBoolean up = new AtomicBoolean(true);
    h.reply(p, r -> up.get() ? status(200, "") : status(500, "down"));
    EndpointOut ep = h.endpoint(app, p);
    MessageOut msg = h.send(app, "t", "{}");
    assertThat(h.await(p, 1)).isTrue();
    assertThat(eventually(() -> attempts(app, msg.getId()).size() == 1)).isTrue();
    up.set(false);

    assertThat(h.call("POST", resendPath(app, msg.getId(), ep.getId()), null).status())
        .isEqualTo(202);
    assertThat(h.await(p, 2)).isTrue();
    Thread.sleep(2500); // the schedule is 1 s: a retry would have come by now
    assertThat(h.receiver.count(p)).isEqualTo(2);
    MessageAttemptOut manual = attempts(app, msg.getId()).get(0);
    assertThat(manual.getTriggerType()).isEqualTo(MessageAttemptTriggerType.MANUAL);
    assertThat(manual.getStatus()).isEqualTo(MessageStatus.FAIL);
    assertThat(manual.getResponseStatusCode()).isEqualTo((short) 500);
    assertThat(
            h.svix
                .getMessageAttempt()
                .listAttemptedMessages(app, ep.getId())
                .getData()
                .get(0)
                .getStatus())
        .isEqualTo(MessageStatus.FAIL);
  }

  @Test
  void resend_refusals_change_nothing() throws Exception {
    String app = h.app();
    String p = path("refuse");
    EndpointOut ep = h.endpoint(app, p);
    MessageOut msg = h.send(app, "t", "{}");
    MessageOut gone = h.send(app, "t", "{}");
    assertThat(h.await(p, 2)).isTrue();
    assertThat(eventually(() -> attempts(app, gone.getId()).size() == 1)).isTrue();
    h.svix.getMessage().expungeContent(app, gone.getId());
    // Created after the messages: it was sent none of them.
    EndpointOut late = h.endpoint(app, path("late"));
    EndpointOut off =
        h.svix
            .getEndpoint()
            .create(
                app, new EndpointIn().url(URI.create(h.receiver.url(path("off")))).disabled(true));

    record Case(String path, int status, String code) {}
    List<Case> cases =
        List.of(
            new Case(
                resendPath(app, "msg_2aaaaaaaaaaaaaaaaaaaaaaaaaa", ep.getId()), 404, "not_found"),
            new Case(
                resendPath(app, msg.getId(), "ep_2aaaaaaaaaaaaaaaaaaaaaaaaaa"), 404, "not_found"),
            new Case(resendPath(app, msg.getId(), late.getId()), 404, "not_found"),
            new Case(resendPath(app, msg.getId(), off.getId()), 409, "conflict"),
            new Case(resendPath(app, gone.getId(), ep.getId()), 400, "missing_payload"));
    int before = h.receiver.count();
    for (Case c : cases) {
      TestHerald.Resp r = h.call("POST", c.path(), null);
      assertThat(r.status()).as(c.path()).isEqualTo(c.status());
      assertThat(json(r.body()).get("code").asText()).isEqualTo(c.code());
    }
    Thread.sleep(500);
    assertThat(h.receiver.count()).isEqualTo(before);
    assertThat(attempts(app, msg.getId())).hasSize(1);
  }

  @Test
  void recover_redelivers_only_the_failed_messages_of_its_window() throws Exception {
    String app = h.app();
    String p = path("recover");
    AtomicBoolean up = new AtomicBoolean(false);
    h.reply(p, r -> up.get() || r.body().contains("good") ? status(200, "") : status(503, ""));
    EndpointOut ep = h.endpoint(app, p);
    OffsetDateTime start = OffsetDateTime.now().minusSeconds(5);
    MessageOut bad = h.send(app, "t", "{\"k\":\"bad\"}");
    MessageOut good = h.send(app, "t", "{\"k\":\"good\"}");
    // 1 + 3 retries for the bad one, then it is exhausted.
    assertThat(eventually(() -> attempts(app, bad.getId()).size() == 4)).isTrue();
    assertThat(
            eventually(
                () ->
                    h
                        .svix
                        .getMessageAttempt()
                        .listAttemptedMessages(app, ep.getId())
                        .getData()
                        .stream()
                        .allMatch(
                            m ->
                                m.getStatus() != MessageStatus.PENDING
                                    && m.getStatus() != MessageStatus.SENDING)))
        .isTrue();
    up.set(true);
    int before = h.receiver.count(p);

    RecoverOut empty =
        h.svix
            .getEndpoint()
            .recover(app, ep.getId(), new RecoverIn().since(OffsetDateTime.now().plusSeconds(60)));
    assertThat(empty.getStatus()).isEqualTo(BackgroundTaskStatus.FINISHED);
    Thread.sleep(500);
    assertThat(h.receiver.count(p)).isEqualTo(before);

    RecoverOut out = h.svix.getEndpoint().recover(app, ep.getId(), new RecoverIn().since(start));
    assertThat(out.getId()).startsWith("qtask_");
    assertThat(out.getTask()).isEqualTo(BackgroundTaskType.ENDPOINT_RECOVER);
    assertThat(h.await(p, before + 1)).isTrue();
    Thread.sleep(1000);
    assertThat(h.receiver.count(p)).isEqualTo(before + 1);
    assertThat(h.at(p).get(h.at(p).size() - 1).header("svix-id")).isEqualTo(bad.getId());
    assertThat(attempts(app, good.getId())).hasSize(1);
    assertThat(
            eventually(
                () -> attempts(app, bad.getId()).get(0).getStatus() == MessageStatus.SUCCESS))
        .isTrue();

    // Nothing failed is left: a second recover sends nothing.
    h.svix.getEndpoint().recover(app, ep.getId(), new RecoverIn().since(start));
    Thread.sleep(500);
    assertThat(h.receiver.count(p)).isEqualTo(before + 1);
  }

  @Test
  void replay_missing_sends_a_new_endpoint_the_older_messages_it_matches() throws Exception {
    String app = h.app();
    String first = path("first");
    h.endpoint(app, first);
    OffsetDateTime start = OffsetDateTime.now().minusSeconds(5);
    MessageOut wanted = h.send(app, "a.b", "{\"w\":1}");
    h.send(app, "x.y", "{\"w\":2}");
    assertThat(h.await(first, 2)).isTrue();
    String late = path("late");
    EndpointOut ep =
        h.svix
            .getEndpoint()
            .create(
                app,
                new EndpointIn().url(URI.create(h.receiver.url(late))).filterTypes(Set.of("a.b")));

    ReplayOut out =
        h.svix.getEndpoint().replayMissing(app, ep.getId(), new ReplayIn().since(start));
    assertThat(out.getTask()).isEqualTo(BackgroundTaskType.ENDPOINT_REPLAY);
    assertThat(out.getStatus()).isEqualTo(BackgroundTaskStatus.FINISHED);
    assertThat(h.await(late, 1)).isTrue();
    Thread.sleep(1000);
    assertThat(h.at(late)).extracting(r -> r.header("svix-id")).containsExactly(wanted.getId());
    assertThat(h.receiver.count(first)).isEqualTo(2);

    h.svix.getEndpoint().replayMissing(app, ep.getId(), new ReplayIn().since(start));
    Thread.sleep(500);
    assertThat(h.receiver.count(late)).isEqualTo(1);
  }

  @Test
  void bulk_replay_resends_ended_messages_that_match_its_filters() throws Exception {
    String app = h.app();
    String p = path("bulk");
    EndpointOut ep = h.endpoint(app, p);
    OffsetDateTime start = OffsetDateTime.now().minusSeconds(5);
    MessageOut one = h.send(app, "t1", "{}");
    h.send(app, "t2", "{}");
    assertThat(h.await(p, 2)).isTrue();
    assertThat(
            eventually(
                () ->
                    h
                        .svix
                        .getMessageAttempt()
                        .listAttemptedMessages(app, ep.getId())
                        .getData()
                        .stream()
                        .allMatch(m -> m.getStatus() == MessageStatus.SUCCESS)))
        .isTrue();

    ReplayOut out =
        h.svix
            .getEndpoint()
            .bulkReplay(app, ep.getId(), new BulkReplayIn().since(start).eventTypes(Set.of("t1")));
    assertThat(out.getTask()).isEqualTo(BackgroundTaskType.ENDPOINT_BULK_REPLAY);
    assertThat(h.await(p, 3)).isTrue();
    Thread.sleep(800);
    assertThat(h.receiver.count(p)).isEqualTo(3);
    assertThat(h.at(p).get(2).header("svix-id")).isEqualTo(one.getId());
    h.svix
        .getEndpoint()
        .bulkReplay(app, ep.getId(), new BulkReplayIn().since(start).status(MessageStatus.FAIL));
    Thread.sleep(500);
    assertThat(h.receiver.count(p)).isEqualTo(3);
  }

  @Test
  void stats_count_each_message_by_its_latest_delivery() throws Exception {
    String app = h.app();
    String p = path("stats");
    h.reply(
        p,
        r ->
            r.body().contains("pend")
                ? status(429, "")
                : r.body().contains("fail") ? status(500, "") : status(200, ""));
    EndpointOut ep = h.endpoint(app, p);
    h.send(app, "t", "{\"k\":\"ok1\"}");
    h.send(app, "t", "{\"k\":\"ok2\"}");
    h.send(app, "t", "{\"k\":\"pend\"}");
    h.send(app, "t", "{\"k\":\"fail\"}");
    assertThat(
            eventually(
                () -> {
                  EndpointStats s = h.svix.getEndpoint().getStats(app, ep.getId());
                  return s.getSuccess() == 2 && s.getPending() == 1 && s.getFail() == 1;
                }))
        .isTrue();
    EndpointStats s = h.svix.getEndpoint().getStats(app, ep.getId());
    assertThat(s.getSending()).isZero();
    assertThat(s.getCanceled()).isZero();
    EndpointGetStatsOptions later = new EndpointGetStatsOptions();
    later.setSince(OffsetDateTime.now().plusMinutes(1));
    EndpointStats none = h.svix.getEndpoint().getStats(app, ep.getId(), later);
    assertThat(none.getSuccess() + none.getPending() + none.getFail()).isZero();
  }

  @Test
  void send_example_delivers_the_schema_example_to_that_endpoint_only() throws Exception {
    String app = h.app();
    String type = "example." + System.nanoTime();
    TestHerald.Resp et =
        h.call(
            "POST",
            "/api/v1/event-type",
            "{\"name\":\""
                + type
                + "\",\"description\":\"d\",\"schemas\":{\"1\":{\"type\":\"object\","
                + "\"examples\":[{\"first\":1},{\"second\":2}]}}}");
    assertThat(et.status()).isEqualTo(201);
    String p = path("example");
    String other = path("bystander");
    EndpointOut ep = h.endpoint(app, p);
    h.endpoint(app, other);

    MessageOut m =
        h.svix
            .getEndpoint()
            .sendExample(app, ep.getId(), new EventExampleIn().eventType(type).exampleIndex(1L));
    assertThat(m.getEventType()).isEqualTo(type);
    assertThat(h.await(p, 1)).isTrue();
    assertThat(h.at(p).get(0).body()).isEqualTo("{\"second\":2}");
    assertThat(h.at(p).get(0).header("svix-id")).isEqualTo(m.getId());
    Thread.sleep(500);
    assertThat(h.receiver.count(other)).isZero();

    String plain = "plain." + System.nanoTime();
    assertThat(
            h.call(
                    "POST",
                    "/api/v1/event-type",
                    "{\"name\":\"" + plain + "\",\"description\":\"d\"}")
                .status())
        .isEqualTo(201);
    h.svix.getEndpoint().sendExample(app, ep.getId(), new EventExampleIn().eventType(plain));
    assertThat(h.await(p, 2)).isTrue();
    assertThat(h.at(p).get(1).body()).isEqualTo("{\"data\":\"example\"}");
  }

  @Test
  void redelivery_refusals_change_nothing() throws Exception {
    String app = h.app();
    String p = path("refusals");
    EndpointOut ep = h.endpoint(app, p);
    EndpointOut off =
        h.svix
            .getEndpoint()
            .create(app, new EndpointIn().url(URI.create(h.receiver.url(p))).disabled(true));
    String type = "refused." + System.nanoTime();
    h.call(
        "POST",
        "/api/v1/event-type",
        "{\"name\":\""
            + type
            + "\",\"description\":\"d\","
            + "\"schemas\":{\"1\":{\"examples\":[{\"a\":1}]}}}");
    String base = "/api/v1/app/" + app + "/endpoint/";
    record Case(String path, String body, int status, String expect) {}
    List<Case> cases =
        List.of(
            new Case(base + ep.getId() + "/recover", "{}", 422, "field required"),
            new Case(
                base + ep.getId() + "/recover",
                "{\"since\":\"soon\"}",
                422,
                "invalid datetime format"),
            new Case(
                base + ep.getId() + "/replay-missing",
                "{\"since\":\"2024-01-02T00:00:00Z\",\"until\":\"2024-01-01T00:00:00Z\"}",
                422,
                "until must be later than since"),
            new Case(
                base + ep.getId() + "/bulk-replay",
                "{\"since\":\"2024-01-01T00:00:00Z\",\"statusCodeClass\":42}",
                422,
                "statusCodeClass"),
            new Case(
                base + "nope/recover", "{\"since\":\"2024-01-01T00:00:00Z\"}", 404, "not_found"),
            new Case(
                base + off.getId() + "/recover",
                "{\"since\":\"2024-01-01T00:00:00Z\"}",
                409,
                "conflict"),
            new Case(
                base + ep.getId() + "/send-example",
                "{\"eventType\":\"no.such.type\"}",
                404,
                "not_found"),
            new Case(
                base + ep.getId() + "/send-example",
                "{\"eventType\":\"" + type + "\",\"exampleIndex\":5}",
                422,
                "exampleIndex"),
            new Case(
                base + off.getId() + "/send-example",
                "{\"eventType\":\"" + type + "\"}",
                409,
                "conflict"));
    for (Case c : cases) {
      TestHerald.Resp r = h.call("POST", c.path(), c.body());
      assertThat(r.status()).as(c.path() + " " + c.body()).isEqualTo(c.status());
      assertThat(r.body()).contains(c.expect());
    }
    Thread.sleep(500);
    assertThat(h.receiver.count(p)).isZero();
    assertThat(h.svix.getMessage().list(app).getData()).isEmpty();
  }
}
