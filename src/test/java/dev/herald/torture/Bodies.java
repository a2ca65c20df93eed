package dev.herald.torture;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Hostile request bodies, generated: large ones lazily, never held whole in the test. */
final class Bodies {
  private Bodies() {}

  /** {@code prefix}, then {@code count} copies of {@code unit}, then {@code suffix}, streamed. */
  record Repeated(String prefix, byte unit, long count, String suffix) {
    long length() {
      return prefix.length() + count + suffix.length();
    }

    InputStream stream() {
      byte[] head = prefix.getBytes(StandardCharsets.UTF_8);
      byte[] tail = suffix.getBytes(StandardCharsets.UTF_8);
      return new InputStream() {
        long pos;

        @Override
        public int read() {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
          long total = head.length + count + tail.length;
          if (pos >= total) {
            return -1;
          }
          int n = 0;
          while (n < len && pos < total) {
            if (pos < head.length) {
              b[off + n] = head[(int) pos];
            } else if (pos < head.length + count) {
              b[off + n] = unit;
            } else {
              b[off + n] = tail[(int) (pos - head.length - count)];
            }
            n++;
            pos++;
          }
          return n;
        }
      };
    }
  }

  /** A message whose payload is {@code payload} (JSON source text, as bytes). */
  static byte[] message(byte[] payload) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(payload.length + 64);
    b.writeBytes("{\"eventType\":\"torture\",\"payload\":".getBytes(StandardCharsets.UTF_8));
    b.writeBytes(payload);
    b.writeBytes("}".getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  static byte[] message(String payload) {
    return message(payload.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code depth} arrays nested in each other. */
  static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  /**
   * An object with keys k0, k1, ... as many as fit in {@code maxBytes} (or exactly {@code keys}).
   */
  static byte[] manyKeys(long keys, long maxBytes) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write('{');
    for (long i = 0; i < keys; i++) {
      byte[] entry = ((i == 0 ? "" : ",") + "\"k" + i + "\":0").getBytes(StandardCharsets.UTF_8);
      if (b.size() + entry.length + 1 > maxBytes) {
        break;
      }
      b.writeBytes(entry);
    }
    b.write('}');
    return b.toByteArray();
  }

  /** Number of keys in an object made by {@link #manyKeys}. */
  static long keyCount(byte[] object) {
    long n = 0;
    for (byte c : object) {
      if (c == ':') {
        n++;
      }
    }
    return n;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code a}, the raw bytes {@code b}, then {@code c}. */
  static byte[] concat(String a, byte[] b, String c) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes(a));
    out.writeBytes(b);
    out.writeBytes(bytes(c));
    return out.toByteArray();
  }
}
