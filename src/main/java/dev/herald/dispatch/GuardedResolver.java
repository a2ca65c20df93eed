package dev.herald.dispatch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * The HTTP client's name resolver, with the {@link SsrfGuard} applied to its answers. Jetty calls
 * it for every new connection, IP literals included, so no connection is opened to an address the
 * guard refuses. The blocking {@link InetAddress#getAllByName} runs on the given executor (virtual
 * threads), never on the calling selector thread. Refused addresses are dropped; when none is left
 * the promise fails with {@link SsrfRefusedException}. Stateless apart from its final fields;
 * thread-safe.
 */
final class GuardedResolver implements SocketAddressResolver {
  private final SsrfGuard guard;
  private final Executor executor;

  GuardedResolver(SsrfGuard guard, Executor executor) {
    this.guard = guard;
    this.executor = executor;
  }

  @Override
  public void resolve(
      String host,
      int port,
      Map<String, Object> context,
      Promise<List<InetSocketAddress>> promise) {
    try {
      executor.execute(() -> lookup(host, port, promise));
    } catch (RejectedExecutionException e) {
      promise.failed(e);
    }
  }

  private void lookup(String host, int port, Promise<List<InetSocketAddress>> promise) {
    List<InetSocketAddress> allowed;
    String refusal = null;
    try {
      if (host == null || host.isBlank()) {
        // getAllByName("") answers the loopback address; an empty host is simply unresolvable.
        throw new UnknownHostException("empty host name");
      }
      InetAddress[] all = InetAddress.getAllByName(host);
      allowed = new ArrayList<>(all.length);
      for (InetAddress address : all) {
        String reason = guard.refusal(address);
        if (reason == null) {
          allowed.add(new InetSocketAddress(address, port));
        } else if (refusal == null) {
          refusal = reason;
        }
      }
    } catch (UnknownHostException | RuntimeException e) {
      promise.failed(e);
      return;
    }
    if (allowed.isEmpty()) {
      promise.failed(new SsrfRefusedException(host, refusal));
    } else {
      promise.succeeded(allowed);
    }
  }

  /** Every address a host resolved to is refused by the {@link SsrfGuard}. */
  static final class SsrfRefusedException extends IOException {
    SsrfRefusedException(String host, String reason) {
      super("host " + host + " refused: " + reason);
    }
  }
}
