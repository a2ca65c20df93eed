package dev.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @Test
  void defaults_select_embedded_sqlite_on_loopback() {
    HeraldConfig cfg = ConfigLoader.load(null, Map.of());
    assertThat(cfg.http().host()).isEqualTo("127.0.0.1");
    assertThat(cfg.http().port()).isEqualTo(8071);
    assertThat(cfg.store().type()).isEqualTo(HeraldConfig.StoreType.SQLITE);
    assertThat(cfg.store().jdbcUrl()).startsWith("jdbc:sqlite:").endsWith("herald-data/herald.db");
    assertThat(cfg.queue().type()).isEqualTo(HeraldConfig.QueueType.MEMORY);
    assertThat(cfg.cache().type()).isEqualTo(HeraldConfig.CacheType.MEMORY);
    assertThat(cfg.auth().jwtSecret()).isNull();
    assertThat(cfg.delivery().retrySchedule())
        .containsExactly(
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(10));
    assertThat(cfg.http().idempotencyTtl()).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void environment_overrides_the_file_which_overrides_defaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("herald.toml");
    Files.writeString(
        file,
        "listen_address = \"0.0.0.0:9000\"\nretry_schedule = [1, 2, 3]\nqueue_type = \"memory\"\n");
    HeraldConfig cfg =
        ConfigLoader.load(file, Map.of("HERALD_LISTEN_ADDRESS", "127.0.0.1:9001", "PATH", "/bin"));
    assertThat(cfg.http().port()).isEqualTo(9001);
    assertThat(cfg.delivery().retrySchedule())
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));
  }

  @Test
  void postgres_dsn_becomes_a_jdbc_url_with_credentials_apart() {
    HeraldConfig cfg =
        ConfigLoader.load(
            null,
            Map.of(
                "HERALD_DB_DSN", "postgres://bob:s%40cret@db.local:6543/herald?sslmode=disable",
                "HERALD_JWT_SECRET", "0123456789abcdef0123"));
    assertThat(cfg.store().type()).isEqualTo(HeraldConfig.StoreType.POSTGRESQL);
    assertThat(cfg.store().jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.local:6543/herald?sslmode=disable");
    assertThat(cfg.store().user()).isEqualTo("bob");
    assertThat(cfg.store().password()).isEqualTo("s@cret");
  }

  @Test
  void bad_settings_name_the_setting_and_the_value() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("HERALD_QUEUE_TYPE", "kafka")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid setting HERALD_QUEUE_TYPE='kafka': expected one of memory, redis");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("HERALD_LISTEN_ADDRESS", "nope")))
        .hasMessageContaining("HERALD_LISTEN_ADDRESS='nope'");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("HERALD_RETRY_SCHEDULE", "5,x")))
        .hasMessageContaining("HERALD_RETRY_SCHEDULE='5,x'");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("HERALD_WHITELIST_SUBNETS", "10.0.0.0/99")))
        .hasMessageContaining("HERALD_WHITELIST_SUBNETS");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("HERALD_DB_DSN", "mysql://x/y")))
        .hasMessageContaining("HERALD_DB_DSN='mysql://x/y'");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("HERALD_QUEUE_TYPE", "redis")))
        .hasMessageContaining("HERALD_REDIS_DSN is required");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("HERALD_DB_DSN", "postgresql://h/db")))
        .hasMessageContaining("HERALD_JWT_SECRET is required with PostgreSQL");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("HERALD_JWT_SECRET", "short")))
        .hasMessageContaining("HERALD_JWT_SECRET='<hidden>'");
  }

  @Test
  void unknown_key_in_the_file_is_refused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("herald.toml");
    Files.writeString(file, "listen_adress = \"127.0.0.1:1\"\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'listen_adress'");
  }

  @Test
  void dsn_password_is_masked() {
    assertThat(ConfigLoader.mask("postgresql://u:hunter2@h:5432/d"))
        .isEqualTo("postgresql://u:****@h:5432/d");
  }

  @Test
  void cidr_contains_its_addresses_only() throws Exception {
    Cidr net = Cidr.parse("10.1.0.0/16");
    assertThat(net.contains(java.net.InetAddress.getByName("10.1.200.3"))).isTrue();
    assertThat(net.contains(java.net.InetAddress.getByName("10.2.0.1"))).isFalse();
    assertThat(Cidr.isValid("example.com/8")).isFalse();
  }
}
