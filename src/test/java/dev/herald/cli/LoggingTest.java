package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {
  @Test
  void logback_finds_the_configurator_as_a_service_and_this_process_runs_on_it() {
    assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
        .contains(Logging.class);
    // The test JVM's own logging was set up by it: no XML configuration is shipped.
    LoggerContext running = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(running.getLogger("org.eclipse.jetty").getLevel()).isEqualTo(Level.WARN);
    assertThat(running.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
    running
        .getStatusManager()
        .getCopyOfStatusList()
        .forEach(st -> System.out.println("STATUS " + st));
  }

  @Test
  void writes_to_stderr_at_the_level_of_HERALD_LOG_LEVEL_with_the_libraries_at_warn() {
    LoggerContext context = new LoggerContext();
    assertThat(new Logging(Map.of("HERALD_LOG_LEVEL", "debug")).configure(context))
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
  void an_unset_or_unknown_level_is_info() {
    for (Map<String, String> env :
        List.of(Map.<String, String>of(), Map.of("HERALD_LOG_LEVEL", "loud"))) {
      LoggerContext context = new LoggerContext();
      new Logging(env).configure(context);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel())
          .as(env.toString())
          .isEqualTo(Level.INFO);
      context.stop();
    }
  }

  @Test
  void a_logback_configuration_file_named_on_the_command_line_takes_over() {
    String before = System.setProperty("logback.configurationFile", "/etc/herald/logback.xml");
    try {
      LoggerContext context = new LoggerContext();
      assertThat(new Logging(Map.of()).configure(context))
          .isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
      context.stop();
    } finally {
      if (before == null) {
        System.clearProperty("logback.configurationFile");
      } else {
        System.setProperty("logback.configurationFile", before);
      }
    }
  }
}
