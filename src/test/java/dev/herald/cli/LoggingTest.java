package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LoggingTest {
  static final String CONFIG_FILE = "logback.configurationFile";

  static Logging logging(Map<String, String> env, Map<String, String> properties) {
    return new Logging(env, properties::get);
  }

  @Test
  void logback_finds_the_configurator_as_a_service_and_this_process_runs_on_it() {
    assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
        .contains(Logging.class);
    // The test JVM's own logging was set up by it, and only by it: Logback's own XML
    // configurator never ran.
    LoggerContext running = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(running.getLogger("org.eclipse.jetty").getLevel()).isEqualTo(Level.WARN);
    assertThat(running.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
    List<String> statuses =
        running.getStatusManager().getCopyOfStatusList().stream().map(Object::toString).toList();
    assertThat(statuses)
        .anyMatch(
            st ->
                st.contains("dev.herald.cli.Logging.configure()")
                    && st.contains("DO_NOT_INVOKE_NEXT_IF_ANY"))
        .noneMatch(st -> st.contains("JoranConfigurator"));
  }

  @Test
  void writes_to_stderr_at_the_level_of_HERALD_LOG_LEVEL_with_the_libraries_at_warn() {
    LoggerContext context = new LoggerContext();
    assertThat(logging(Map.of("HERALD_LOG_LEVEL", "debug"), Map.of()).configure(context))
        .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
    ConsoleAppender<?> stderr = (ConsoleAppender<?>) root.getAppender("STDERR");
    assertThat(stderr.isStarted()).isTrue();
    assertThat(stderr.getTarget()).isEqualTo("System.err");
    assertThat(((PatternLayoutEncoder) stderr.getEncoder()).getPattern())
        .isEqualTo("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n");
    for (String quiet : Logging.QUIET) {
      assertThat(context.getLogger(quiet).getLevel()).as(quiet).isEqualTo(Level.WARN);
    }
    assertThat(context.getLogger("dev.herald.dispatch").getEffectiveLevel()).isEqualTo(Level.DEBUG);
    context.stop();
  }

  @Test
  void a_root_level_stricter_than_warn_quiets_the_libraries_too() {
    for (Level level : List.of(Level.ERROR, Level.OFF)) {
      LoggerContext context = new LoggerContext();
      logging(Map.of("HERALD_LOG_LEVEL", level.levelStr), Map.of()).configure(context);
      for (String quiet : Logging.QUIET) {
        assertThat(context.getLogger(quiet).getLevel()).as(quiet).isEqualTo(level);
      }
      context.stop();
    }
  }

  @Test
  void an_unset_or_unknown_level_is_info() {
    for (Map<String, String> env :
        List.of(Map.<String, String>of(), Map.of("HERALD_LOG_LEVEL", "loud"))) {
      LoggerContext context = new LoggerContext();
      logging(env, Map.of()).configure(context);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel())
          .as(env.toString())
          .isEqualTo(Level.INFO);
      context.stop();
    }
  }

  @Test
  void a_logback_configuration_file_named_on_the_command_line_takes_over(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("logback.xml"), "<configuration/>");
    LoggerContext context = new LoggerContext();
    assertThat(logging(Map.of(), Map.of(CONFIG_FILE, file.toString())).configure(context))
        .isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
    context.stop();
  }

  @Test
  void a_named_file_that_does_not_exist_leaves_herald_s_logging_with_a_warning(@TempDir Path dir) {
    // Logback would otherwise fall back to its own defaults: everything at DEBUG on stdout.
    String missing = dir.resolve("missing.xml").toString();
    LoggerContext context = new LoggerContext();
    assertThat(logging(Map.of(), Map.of(CONFIG_FILE, missing)).configure(context))
        .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
    assertThat(context.getStatusManager().getCopyOfStatusList())
        .anyMatch(st -> st.getLevel() == Status.WARN && st.getMessage().contains(missing));
    context.stop();
  }
}
