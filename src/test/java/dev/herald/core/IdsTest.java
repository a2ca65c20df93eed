package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class IdsTest {
  @Test
  void ids_have_the_prefix_and_a_27_character_ksuid() {
    String id = Ids.next(Ids.Prefix.APP, Instant.now());
    assertThat(id).startsWith("app_").hasSize(31).matches("app_[0-9A-Za-z]{27}");
    assertThat(Ids.Prefix.APP.matches(id)).isTrue();
    assertThat(Ids.Prefix.ENDPOINT.matches(id)).isFalse();
    assertThat(Ids.Prefix.APP.matches("app_short")).isFalse();
    assertThat(Ids.Prefix.APP.matches("app_" + "!".repeat(27))).isFalse();
  }

  @Test
  void ids_sort_by_creation_second_as_strings() {
    List<String> ids = new ArrayList<>();
    Instant t = Instant.parse("2024-01-01T00:00:00Z");
    for (int i = 0; i < 50; i++) {
      ids.add(Ids.next(Ids.Prefix.MESSAGE, t.plusSeconds(i * 3600L)));
    }
    assertThat(ids).isSorted();
    assertThat(new HashSet<>(ids)).hasSize(50);
  }

  @Test
  void ids_of_one_process_ascend_within_a_second_and_stay_unique() throws Exception {
    // So that indexes on ids grow at their right edge (see Ids). 128 random bits would put each
    // new id anywhere in its second's range.
    Instant t = Instant.parse("2026-11-28T02:00:00Z");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(Ids.next(Ids.Prefix.DELIVERY, t));
    }
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    // From several threads at once: each thread's ids still ascend, and none repeats.
    Set<String> all = ConcurrentHashMap.newKeySet();
    List<Future<List<String>>> runs = new ArrayList<>();
    try (var pool = Executors.newFixedThreadPool(4)) {
      for (int n = 0; n < 4; n++) {
        runs.add(
            pool.submit(
                () -> {
                  List<String> mine = new ArrayList<>();
                  for (int i = 0; i < 5_000; i++) {
                    mine.add(Ids.next(Ids.Prefix.MESSAGE, t));
                  }
                  all.addAll(mine);
                  return mine;
                }));
      }
      for (var run : runs) {
        assertThat(run.get()).isSorted();
      }
    }
    assertThat(all).hasSize(20_000);
  }

  @Test
  void lowest_id_of_a_second_sorts_before_every_id_of_that_second() {
    Instant t = Instant.parse("2025-06-01T12:00:00Z");
    String low = Ids.lowest(Ids.Prefix.MESSAGE, t);
    for (int i = 0; i < 100; i++) {
      assertThat(Ids.next(Ids.Prefix.MESSAGE, t)).isGreaterThan(low);
      assertThat(Ids.next(Ids.Prefix.MESSAGE, t.minusSeconds(1))).isLessThan(low);
    }
  }

  @Test
  void svix_default_org_id_is_a_valid_ksuid() {
    assertThat(Ids.Prefix.ORG.matches("org_23rb8YdGqMT0qIzpgGwdXfHirMu")).isTrue();
  }

  @Test
  void encoding_matches_a_big_integer_base62_reference() {
    java.util.Random random = new java.util.Random(42);
    for (int n = 0; n < 20_000; n++) {
      byte[] raw = new byte[20];
      random.nextBytes(raw);
      // Small numbers too: leading zero bytes exercise the padding.
      for (int i = 0; i < random.nextInt(21); i++) {
        raw[i] = 0;
      }
      java.math.BigInteger value = new java.math.BigInteger(1, raw);
      StringBuilder expected = new StringBuilder();
      java.math.BigInteger base = java.math.BigInteger.valueOf(62);
      String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
      while (value.signum() > 0) {
        java.math.BigInteger[] qr = value.divideAndRemainder(base);
        expected.append(alphabet.charAt(qr[1].intValue()));
        value = qr[0];
      }
      while (expected.length() < 27) {
        expected.append('0');
      }
      assertThat(Ids.encode(raw)).isEqualTo(expected.reverse().toString());
    }
  }

  @Test
  void encoding_of_max_value_fits_27_characters() {
    byte[] all = new byte[20];
    java.util.Arrays.fill(all, (byte) 0xff);
    assertThat(Ids.encode(all)).isEqualTo("aWgEPTl1tmebfsQzFP4bxwgy80V");
    assertThat(Ids.encode(new byte[20])).isEqualTo("0".repeat(27));
  }
}
