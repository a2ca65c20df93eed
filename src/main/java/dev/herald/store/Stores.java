package dev.herald.store;

import dev.herald.config.HeraldConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds the configured {@link Store}. */
public final class Stores {
  private Stores() {}

  public static Store open(HeraldConfig.Store cfg) {
    return switch (cfg.type()) {
      case SQLITE -> {
        createParent(cfg.jdbcUrl().substring("jdbc:sqlite:".length()));
        yield new SqliteStore(cfg.jdbcUrl());
      }
      case POSTGRESQL ->
          new PostgresStore(cfg.jdbcUrl(), cfg.user(), cfg.password(), cfg.poolSize());
    };
  }

  private static void createParent(String file) {
    Path parent = Path.of(file).toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + parent, e);
    }
  }
}
