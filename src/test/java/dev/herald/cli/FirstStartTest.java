package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.SvixOptions;
import com.svix.models.ApplicationIn;
import com.svix.models.ApplicationOut;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user does: start Herald with no configuration at all (embedded SQLite, no secret),
 * copy the token it logs, and call the API with the Svix SDK. Herald runs as a child JVM.
 */
class FirstStartTest {
  static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  static final Pattern TOKEN =
      Pattern.compile("^\\s+(eyJ[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+)\\s*$");

  @Test
  void first_start_prints_a_token_that_the_sdk_can_use(@TempDir Path dir) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(
            java.toString(),
            "-Xmx128m",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.herald.cli.Main");
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
    pb.environment().put("HERALD_DATA_DIR", dir.resolve("data").toString());
    pb.environment().put("HERALD_LISTEN_ADDRESS", "127.0.0.1:0");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    try {
      List<String> log = new ArrayList<>();
      int port = -1;
      String token = null;
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      String line;
      while ((port < 0 || token == null)
          && System.nanoTime() < deadline
          && (line = reader.readLine()) != null) {
        log.add(line);
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
        Matcher t = TOKEN.matcher(line);
        if (t.matches()) {
          token = t.group(1);
        }
      }
      assertThat(port).as("log: %s", log).isPositive();
      assertThat(token).as("log: %s", log).isNotNull();
      assertThat(Files.exists(dir.resolve("data").resolve("jwt-secret"))).isTrue();
      Thread.ofVirtual().start(() -> reader.lines().forEach(l -> {}));

      SvixOptions options = new SvixOptions();
      options.setServerUrl("http://127.0.0.1:" + port);
      Svix svix = new Svix(token, options);
      ApplicationOut app = svix.getApplication().create(new ApplicationIn().name("First"));
      assertThat(svix.getApplication().get(app.getId()).getName()).isEqualTo("First");
      svix.getEventType()
          .create(new com.svix.models.EventTypeIn().name("user.signup").description("A signup"));
      // The default SSRF guard refuses loopback: the delivery fails without a packet sent.
      com.svix.models.EndpointOut ep =
          svix.getEndpoint()
              .create(
                  app.getId(),
                  new com.svix.models.EndpointIn().url(URI.create("http://127.0.0.1:9/webhook")));
      assertThat(ep.getId()).startsWith("ep_");
      com.svix.models.MessageOut msg =
          svix.getMessage()
              .create(
                  app.getId(),
                  new com.svix.models.MessageIn()
                      .eventType("user.signup")
                      .payload("{\"email\":\"a@example.com\"}"));
      assertThat(svix.getMessage().get(app.getId(), msg.getId()).getEventType())
          .isEqualTo("user.signup");
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
