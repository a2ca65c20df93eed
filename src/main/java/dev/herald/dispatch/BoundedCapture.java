package dev.herald.dispatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.Response;

/**
 * Listens to one response and keeps at most {@code cap} bytes of its body. The first byte past the
 * cap aborts the response with {@link CapReached}, which closes the connection: what lies beyond is
 * never read, so an endless body costs neither memory nor time. The status and headers received
 * before still stand.
 *
 * <p>Jetty calls the listener methods one at a time for a response; the owner reads the captured
 * bytes only after {@link #await} returns, which the completing future orders after every write.
 */
final class BoundedCapture implements Response.Listener {
  private static final int FIRST_BUFFER_BYTES = 4096;

  private final int cap;
  private final CompletableFuture<org.eclipse.jetty.client.Result> done = new CompletableFuture<>();
  private byte[] bytes = new byte[0];
  private int size;
  private boolean capped;
  private boolean headersReceived;

  BoundedCapture(int cap) {
    this.cap = cap;
  }

  @Override
  public void onHeaders(Response response) {
    headersReceived = true;
  }

  @Override
  public void onContent(Response response, ByteBuffer chunk) {
    if (capped) {
      return;
    }
    int n = Math.min(cap - size, chunk.remaining());
    if (n > 0) {
      if (size + n > bytes.length) {
        int grown = Math.max(size + n, Math.max(FIRST_BUFFER_BYTES, bytes.length * 2));
        bytes = Arrays.copyOf(bytes, Math.min(grown, cap));
      }
      chunk.get(bytes, size, n);
      size += n;
    }
    if (chunk.hasRemaining()) {
      capped = true;
      chunk.position(chunk.limit());
      response.abort(new CapReached());
    }
  }

  @Override
  public void onComplete(org.eclipse.jetty.client.Result result) {
    done.complete(result);
  }

  /**
   * The exchange's outcome, once Jetty reports it complete; a {@link TimeoutException} if {@link
   * #expire} came first.
   */
  org.eclipse.jetty.client.Result await() throws InterruptedException, TimeoutException {
    try {
      return done.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TimeoutException t) {
        throw t;
      }
      throw new IllegalStateException("the capture future fails only by expire()", e);
    }
  }

  /** Ends {@link #await} with a {@link TimeoutException}, unless Jetty has reported already. */
  void expire() {
    done.completeExceptionally(new TimeoutException());
  }

  /** The captured start of the body as UTF-8, malformed sequences replaced. */
  String text() {
    return new String(bytes, 0, size, StandardCharsets.UTF_8);
  }

  /** How many body bytes were kept. */
  int size() {
    return size;
  }

  /** The status line and headers arrived: the endpoint answered. */
  boolean headersReceived() {
    return headersReceived;
  }

  /** The body went on past the cap and the response was aborted. */
  boolean capped() {
    return capped;
  }

  /** The reason a capped response is aborted; not an error. */
  static final class CapReached extends Exception {
    CapReached() {
      super("response body cap reached", null, false, false);
    }
  }
}
