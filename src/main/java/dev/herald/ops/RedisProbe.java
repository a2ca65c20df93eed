package dev.herald.ops;

import java.net.URI;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** Answers whether Redis at a DSN replies to PING within {@link #TIMEOUT_MS}. */
final class RedisProbe {
  /** Connect and read timeout of one probe. */
  static final int TIMEOUT_MS = 1000;

  private final HostAndPort address;
  private final DefaultJedisClientConfig config;

  RedisProbe(String dsn) {
    URI uri = URI.create(dsn);
    this.address = new HostAndPort(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort());
    DefaultJedisClientConfig.Builder b =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(TIMEOUT_MS)
            .socketTimeoutMillis(TIMEOUT_MS)
            .ssl("rediss".equals(uri.getScheme()));
    if (uri.getUserInfo() != null) {
      String[] parts = uri.getUserInfo().split(":", 2);
      if (parts.length == 2) {
        if (!parts[0].isEmpty()) {
          b.user(parts[0]);
        }
        b.password(parts[1]);
      } else {
        b.password(parts[0]);
      }
    }
    this.config = b.build();
  }

  boolean ping() {
    try (Jedis jedis = new Jedis(address, config)) {
      return "PONG".equals(jedis.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }
}
