package dev.herald.torture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a plain socket, for what the JDK client cannot send or cannot watch: bodies far
 * past the server's limit (the answer is read while the body is still being written, so a 413 sent
 * early is seen), chunked bodies without a length, thousands of headers, a body one byte at a time.
 */
final class RawHttp {
  /** Most answer-body bytes read. */
  static final int MAX_ANSWER_BODY = 64 * 1024;

  /** Size of one write of a body. */
  static final int WRITE_BYTES = 64 * 1024;

  private RawHttp() {}

  /**
   * What came back: the status (-1 when the connection ended before a status line), headers in
   * lower case, the start of the body, how many bytes of the request were written, and the failure
   * seen when there was no status.
   */
  record Answer(
      int status,
      Map<String, String> headers,
      String body,
      long sent,
      String failure,
      long millis) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** For the report: the status, or how the connection ended. */
    String describe() {
      return status > 0
          ? status + " after " + sent + " bytes written"
          : "no status (" + failure + ") after " + sent + " bytes written";
    }
  }

  /** Request line and headers, ending with the blank line. */
  static String head(String method, String path, Map<String, String> headers) {
    StringBuilder b = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
    return b.append("\r\n").toString();
  }

  /**
   * Writes {@code head} and then {@code body} ({@code length} bytes with {@code Content-Length}
   * already in the head, or chunked when {@code length < 0}) from another thread, while this thread
   * reads the answer. Writing stops as soon as the answer has come, or the connection fails.
   */
  static Answer exchange(int port, String head, InputStream body, long length, Duration timeout) {
    long start = System.nanoTime();
    AtomicLong sent = new AtomicLong();
    AtomicBoolean answered = new AtomicBoolean();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout((int) timeout.toMillis());
      Thread writer =
          Thread.ofVirtual()
              .start(() -> write(s, head, body, length, sent, answered, start, timeout));
      Answer a;
      try {
        a = read(s.getInputStream(), sent, start);
      } catch (IOException e) {
        a = new Answer(-1, Map.of(), "", sent.get(), e.toString(), since(start));
      }
      answered.set(true);
      s.close();
      writer.join(TimeUnit.SECONDS.toMillis(10));
      return a;
    } catch (IOException e) {
      return new Answer(-1, Map.of(), "", sent.get(), e.toString(), since(start));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void write(
      Socket s,
      String head,
      InputStream body,
      long length,
      AtomicLong sent,
      AtomicBoolean answered,
      long start,
      Duration timeout) {
    long deadline = start + timeout.toNanos();
    try {
      OutputStream out = s.getOutputStream();
      byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
      for (int off = 0; off < h.length && !answered.get(); off += WRITE_BYTES) {
        int n = Math.min(WRITE_BYTES, h.length - off);
        out.write(h, off, n);
        sent.addAndGet(n);
      }
      byte[] buf = new byte[WRITE_BYTES];
      int n;
      while (!answered.get() && System.nanoTime() < deadline && (n = body.read(buf)) > 0) {
        if (length < 0) {
          out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.write(buf, 0, n);
        if (length < 0) {
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        sent.addAndGet(n);
      }
      if (length < 0 && !answered.get()) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
    } catch (IOException e) {
      // refused mid-way: the reader reports what it saw
    }
  }

  /** Reads a status line, headers and up to {@link #MAX_ANSWER_BODY} bytes of body. */
  static Answer read(InputStream in, AtomicLong sent, long start) throws IOException {
    String status = line(in);
    if (status == null) {
      throw new IOException("connection closed before a status line");
    }
    String[] parts = status.split(" ", 3);
    Map<String, String> headers = new LinkedHashMap<>();
    String l;
    while ((l = line(in)) != null && !l.isEmpty()) {
      int colon = l.indexOf(':');
      if (colon > 0) {
        headers.put(
            l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
      }
    }
    long len =
        headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : 0;
    byte[] body = in.readNBytes((int) Math.min(len, MAX_ANSWER_BODY));
    return new Answer(
        Integer.parseInt(parts[1]),
        headers,
        new String(body, StandardCharsets.UTF_8),
        sent.get(),
        null,
        since(start));
  }

  /** One CRLF-terminated line, or null at the end of the stream. */
  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      if (b.size() > 64 * 1024) {
        throw new IOException("line too long");
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Slow-loris: opens {@code connections} connections, sends each {@code head} (which declares a
   * body of {@code bodyBytes}) and then one body byte per {@code interval} to every connection
   * still waiting, until each has an answer or {@code max} has passed. The answers, in order.
   */
  static List<Answer> slowBodies(
      int port, String head, int connections, int bodyBytes, Duration interval, Duration max)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    List<Socket> sockets = new ArrayList<>();
    List<Answer> answers = new ArrayList<>();
    List<Thread> readers = new ArrayList<>();
    Answer[] got = new Answer[connections];
    AtomicLong[] sent = new AtomicLong[connections];
    try {
      for (int i = 0; i < connections; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout((int) max.toMillis());
        sockets.add(s);
        sent[i] = new AtomicLong();
        s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        int k = i;
        readers.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      Answer a;
                      try {
                        a = read(s.getInputStream(), sent[k], start);
                      } catch (IOException e) {
                        a = new Answer(-1, Map.of(), "", sent[k].get(), e.toString(), since(start));
                      }
                      synchronized (got) {
                        got[k] = a;
                      }
                    }));
      }
      long deadline = start + max.toNanos();
      for (int b = 0; b < bodyBytes && System.nanoTime() < deadline; b++) {
        boolean waiting = false;
        for (int i = 0; i < connections; i++) {
          synchronized (got) {
            if (got[i] != null) {
              continue;
            }
          }
          waiting = true;
          try {
            sockets.get(i).getOutputStream().write('1');
            sent[i].incrementAndGet();
          } catch (IOException e) {
            // closed by the server; its reader reports the answer
          }
        }
        if (!waiting) {
          break;
        }
        TimeUnit.MILLISECONDS.sleep(interval.toMillis());
      }
      for (Thread t : readers) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    synchronized (got) {
      for (int i = 0; i < connections; i++) {
        answers.add(
            got[i] != null
                ? got[i]
                : new Answer(-1, Map.of(), "", sent[i].get(), "no answer in time", since(start)));
      }
    }
    return answers;
  }

  private static long since(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
