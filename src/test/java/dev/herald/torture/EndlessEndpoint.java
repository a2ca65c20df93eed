package dev.herald.torture;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook endpoint on loopback that answers every request with 200 and a body that never ends:
 * close-delimited, or chunked for paths starting with {@code /chunked}. Each answer stops at the
 * first failed write (the caller hung up), or at {@link #MAX_BYTES}, or after {@link #MAX_MILLIS}.
 */
final class EndlessEndpoint implements AutoCloseable {
  static final long MAX_BYTES = 500L * 1024 * 1024;
  static final long MAX_MILLIS = 30_000;

  private final ServerSocket server;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();
  private final AtomicLong maxWritten = new AtomicLong();

  EndlessEndpoint() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("endless-endpoint").start(this::accept);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getLocalPort() + path;
  }

  /** Requests answered so far. */
  int requests() {
    return requests.get();
  }

  /** Answers that ended (the caller hung up, or a bound was reached). */
  int finished() {
    return finished.get();
  }

  /** The most body bytes written into one answer before it ended. */
  long maxWritten() {
    return maxWritten.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> answer(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void answer(Socket s) {
    long written = 0;
    try (s) {
      InputStream in = s.getInputStream();
      String requestLine = RawHttp.line(in);
      long length = 0;
      String l;
      while ((l = RawHttp.line(in)) != null && !l.isEmpty()) {
        if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
        }
      }
      in.skipNBytes(length);
      requests.incrementAndGet();
      boolean chunked = requestLine != null && requestLine.split(" ")[1].startsWith("/chunked");
      OutputStream out = s.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                  + (chunked ? "Transfer-Encoding: chunked\r\n" : "Connection: close\r\n")
                  + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] block = new byte[64 * 1024];
      Arrays.fill(block, (byte) 'x');
      byte[] chunkHead =
          (Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      long deadline = System.currentTimeMillis() + MAX_MILLIS;
      while (written < MAX_BYTES && System.currentTimeMillis() < deadline) {
        if (chunked) {
          out.write(chunkHead);
        }
        out.write(block);
        if (chunked) {
          out.write('\r');
          out.write('\n');
        }
        written += block.length;
      }
    } catch (IOException e) {
      // Herald hung up: what this endpoint is for
    } finally {
      long w = written;
      maxWritten.accumulateAndGet(w, Math::max);
      finished.incrementAndGet();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
