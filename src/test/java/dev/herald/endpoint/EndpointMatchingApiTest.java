package dev.herald.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointSecretRotateIn;
import dev.herald.app.AppService;
import dev.herald.store.Store;
import dev.herald.store.Stores;
import dev.herald.testing.TestHerald;
import dev.herald.web.Json;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What other features ask of endpoints, through the store: which endpoints a message goes to, and
 * which keys sign it. Endpoints are made with the SDK; the service reads the same database.
 */
class EndpointMatchingApiTest {
  static TestHerald herald;
  static Svix svix;
  static Store store;
  static EndpointService endpoints;

  @BeforeAll
  static void start() {
    herald = TestHerald.start();
    svix = herald.svix();
    store = Stores.open(herald.herald().config().store());
    Json json = new Json(1 << 20);
    endpoints =
        new EndpointService(
            store, new AppService(store, json, Clock.systemUTC()), json, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (store != null) {
      store.close();
    }
    if (herald != null) {
      herald.close();
    }
  }

  static String create(String app, String uid, Set<String> types, Set<String> channels)
      throws Exception {
    return svix.getEndpoint()
        .create(
            app,
            new EndpointIn()
                .url(URI.create("https://example.com/" + uid))
                .uid(uid)
                .filterTypes(types)
                .channels(channels))
        .getId();
  }

  static List<String> uidsMatching(String app, String eventType, List<String> channels) {
    return store.read(
        tx ->
            endpoints.matching(tx, app, eventType, channels).stream()
                .map(Endpoint::uid)
                .sorted()
                .toList());
  }

  static List<String> keys(String endpointId, Instant now) {
    return store.read(tx -> endpoints.signingKeys(tx, endpointId, now));
  }

  @Test
  void matching_honours_filter_types_channels_disabled_and_deleted() throws Exception {
    String app = svix.getApplication().create(new ApplicationIn().name("m")).getId();
    String other = svix.getApplication().create(new ApplicationIn().name("other")).getId();
    create(app, "all", null, null);
    create(app, "signup-only", Set.of("user.signup"), null);
    create(app, "chan-a", null, Set.of("a"));
    create(app, "signup-chan-b", Set.of("user.signup"), Set.of("b", "c"));
    String off = create(app, "disabled", null, null);
    svix.getEndpoint().patch(app, off, new com.svix.models.EndpointPatch().disabled(true));
    String gone = create(app, "deleted", null, null);
    svix.getEndpoint().delete(app, gone);
    create(other, "other-app", null, null);

    assertThat(uidsMatching(app, "user.signup", null)).containsExactly("all", "signup-only");
    assertThat(uidsMatching(app, "user.deleted", null)).containsExactly("all");
    assertThat(uidsMatching(app, "user.deleted", List.of("a"))).containsExactly("all", "chan-a");
    assertThat(uidsMatching(app, "user.signup", List.of("c", "z")))
        .containsExactly("all", "signup-chan-b", "signup-only");
    assertThat(uidsMatching(app, "user.deleted", List.of("b"))).containsExactly("all");
  }

  @Test
  void signing_keys_keep_the_rotated_key_for_its_grace_period_only() throws Exception {
    String app = svix.getApplication().create(new ApplicationIn().name("k")).getId();
    String ep = create(app, "keys", null, null);
    String first = svix.getEndpoint().getSecret(app, ep).getKey();
    assertThat(keys(ep, Instant.now())).containsExactly(first);

    svix.getEndpoint().rotateSecret(app, ep, new EndpointSecretRotateIn());
    String second = svix.getEndpoint().getSecret(app, ep).getKey();
    Instant now = Instant.now();
    assertThat(keys(ep, now)).containsExactly(second, first);
    Instant later = now.plus(Duration.ofHours(24)).plusSeconds(60);
    assertThat(keys(ep, later)).containsExactly(second);

    svix.getEndpoint().rotateSecret(app, ep, new EndpointSecretRotateIn().gracePeriodSeconds(0));
    String third = svix.getEndpoint().getSecret(app, ep).getKey();
    assertThat(keys(ep, Instant.now())).containsExactly(third, first);
  }

  @Test
  void at_most_ten_old_keys_are_kept() throws Exception {
    String app = svix.getApplication().create(new ApplicationIn().name("many")).getId();
    String ep = create(app, "many", null, null);
    for (int i = 0; i < 13; i++) {
      svix.getEndpoint().rotateSecret(app, ep, new EndpointSecretRotateIn());
    }
    String current = svix.getEndpoint().getSecret(app, ep).getKey();
    List<String> keys = keys(ep, Instant.now());
    assertThat(keys).hasSize(1 + EndpointService.MAX_OLD_KEYS).doesNotHaveDuplicates();
    assertThat(keys.get(0)).isEqualTo(current);
  }

  @Test
  void deleted_endpoint_has_no_signing_keys() throws Exception {
    String app = svix.getApplication().create(new ApplicationIn().name("d")).getId();
    String ep = create(app, "d", null, null);
    svix.getEndpoint().delete(app, ep);
    assertThat(keys(ep, Instant.now())).isEmpty();
    assertThat(store.<java.util.Optional<Endpoint>>read(tx -> endpoints.find(tx, ep))).isEmpty();
  }
}
