package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.auth.Tokens;
import dev.herald.core.Scope;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  record Run(int code, String out, String err) {}

  static Run run(Map<String, String> env, String... args) {
    CommandLine cli = Main.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void help_lists_the_commands() {
    Run r = run(Map.of(), "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("serve", "migrate", "jwt", "--config", "--version");
  }

  @Test
  void jwt_generate_prints_a_token_the_server_accepts() {
    String secret = "cli-test-secret-0123456789";
    Run r =
        run(
            Map.of("HERALD_JWT_SECRET", secret),
            "jwt",
            "generate",
            "--org",
            "org_2Zk3Hc9gQ0zT6m2v1eYl6pXvUoA");
    assertThat(r.code()).isZero();
    Scope scope = new Tokens(secret, Clock.systemUTC()).authenticate("Bearer " + r.out().strip());
    assertThat(scope.orgId()).isEqualTo("org_2Zk3Hc9gQ0zT6m2v1eYl6pXvUoA");
    assertThat(scope.isApp()).isFalse();
  }

  @Test
  void jwt_generate_without_a_secret_uses_the_one_kept_in_the_data_dir(@TempDir Path dir)
      throws Exception {
    Run first = run(Map.of("HERALD_DATA_DIR", dir.toString()), "jwt", "generate");
    assertThat(first.code()).isZero();
    String kept = Files.readString(dir.resolve("jwt-secret")).strip();
    Scope scope = new Tokens(kept, Clock.systemUTC()).authenticate("Bearer " + first.out().strip());
    assertThat(scope.orgId()).isEqualTo("org_23rb8YdGqMT0qIzpgGwdXfHirMu");
  }

  @Test
  void bad_setting_stops_with_one_line_naming_it() {
    Run r = run(Map.of("HERALD_CACHE_TYPE", "memcached"), "migrate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "herald: invalid setting HERALD_CACHE_TYPE='memcached': expected one of memory,"
                + " redis, none");
  }

  @Test
  void migrate_creates_the_embedded_database(@TempDir Path dir) {
    Run r = run(Map.of("HERALD_DATA_DIR", dir.toString()), "migrate");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("migrations applied");
    assertThat(dir.resolve("herald.db")).exists();
  }
}
