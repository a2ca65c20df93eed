package dev.herald.core;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Svix-style identifiers: a resource prefix and a KSUID (27 base62 characters: a 32-bit timestamp
 * in seconds since 2014-05-13 followed by a 128-bit payload). KSUIDs sort by creation time, which
 * the list endpoints use as their iterator.
 *
 * <p>The payload is a 64-bit sequence of this process (from a random start) followed by 64 random
 * bits, not 128 random bits: the ids one process makes ascend even within a second. Every index
 * that leads with an id (the tables' keys, a delivery's or attempt's message) then grows at its
 * right edge, where a transaction of a few hundred new rows writes a few pages per index, instead
 * of at random places across the current second's range, a page per row. The random half keeps the
 * ids of separate processes (nodes) apart, and keeps ids unguessable. The price: ids are ordered
 * and counted, so whoever holds two ids made by one node can tell how many ids (of any kind, for
 * any organisation) that node made between them, as with monotonic ULIDs or counter-based UUIDv7.
 *
 * <p>Written by hand: the KSUID encoding is twenty lines, and no kept Java library offers it with
 * the epoch Svix uses.
 */
public final class Ids {
  /** KSUID epoch: 1,400,000,000 seconds after the Unix epoch. */
  static final long KSUID_EPOCH_SECONDS = 1_400_000_000L;

  /** Length of a base62 KSUID. */
  public static final int KSUID_LENGTH = 27;

  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * The next id's sequence number. Starts below 2^63 and is read as unsigned, so it ascends for at
   * least 2^63 ids.
   */
  private static final AtomicLong SEQUENCE = new AtomicLong(RANDOM.nextLong() >>> 1);

  /** The resource prefixes Herald hands out. */
  public enum Prefix {
    APP("app_"),
    EVENT_TYPE("evtype_"),
    ENDPOINT("ep_"),
    MESSAGE("msg_"),
    ATTEMPT("atmpt_"),
    DELIVERY("dlv_"),
    ORG("org_");

    private final String text;

    Prefix(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    /** True when {@code value} is this prefix followed by a well-formed KSUID. */
    public boolean matches(String value) {
      return value != null
          && value.length() == text.length() + KSUID_LENGTH
          && value.startsWith(text)
          && isBase62(value, text.length());
    }
  }

  private Ids() {}

  /** A new id for {@code prefix} at time {@code now}. */
  public static String next(Prefix prefix, Instant now) {
    byte[] raw = new byte[20];
    long seconds = now.getEpochSecond() - KSUID_EPOCH_SECONDS;
    raw[0] = (byte) (seconds >>> 24);
    raw[1] = (byte) (seconds >>> 16);
    raw[2] = (byte) (seconds >>> 8);
    raw[3] = (byte) seconds;
    long sequence = SEQUENCE.getAndIncrement();
    for (int i = 0; i < 8; i++) {
      raw[4 + i] = (byte) (sequence >>> (56 - 8 * i));
    }
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    System.arraycopy(random, 0, raw, 12, 8);
    return prefix.text() + encode(raw);
  }

  /**
   * The smallest id of {@code prefix} created at or after {@code time}: used to turn a time bound
   * ({@code before}/{@code after}) into an id bound.
   */
  public static String lowest(Prefix prefix, Instant time) {
    byte[] raw = new byte[20];
    long seconds = Math.max(0, time.getEpochSecond() - KSUID_EPOCH_SECONDS);
    raw[0] = (byte) (seconds >>> 24);
    raw[1] = (byte) (seconds >>> 16);
    raw[2] = (byte) (seconds >>> 8);
    raw[3] = (byte) seconds;
    return prefix.text() + encode(raw);
  }

  /** 62^5: five base62 digits per division of the 160-bit number; fits in 31 bits. */
  private static final long BASE62_POW5 = 62L * 62 * 62 * 62 * 62;

  static String encode(byte[] raw) {
    // Base62 of a 160-bit big-endian number, left-padded with '0' to 27 characters: long division
    // of five 32-bit limbs by 62^5, five digits per pass (6 passes instead of 27 byte-wise ones).
    long[] limbs = new long[5];
    for (int i = 0; i < 5; i++) {
      limbs[i] =
          (raw[4 * i] & 0xffL) << 24
              | (raw[4 * i + 1] & 0xffL) << 16
              | (raw[4 * i + 2] & 0xffL) << 8
              | (raw[4 * i + 3] & 0xffL);
    }
    char[] out = new char[KSUID_LENGTH];
    int pos = KSUID_LENGTH;
    while (pos > 0) {
      long remainder = 0;
      for (int i = 0; i < 5; i++) {
        long acc = remainder << 32 | limbs[i];
        limbs[i] = acc / BASE62_POW5;
        remainder = acc % BASE62_POW5;
      }
      for (int d = 0; d < 5 && pos > 0; d++) {
        out[--pos] = BASE62[(int) (remainder % 62)];
        remainder /= 62;
      }
    }
    return new String(out);
  }

  private static boolean isBase62(String value, int from) {
    for (int i = from; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
