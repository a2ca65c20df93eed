package dev.herald.store;

/** The SQL dialects Herald speaks; SQL classes switch on it where the two differ. */
public enum Dialect {
  SQLITE("sqlite"),
  POSTGRESQL("postgresql");

  private final String migrationFolder;

  Dialect(String migrationFolder) {
    this.migrationFolder = migrationFolder;
  }

  /** Flyway location of this dialect's migrations. */
  public String migrationLocation() {
    return "classpath:db/migration/" + migrationFolder;
  }
}
