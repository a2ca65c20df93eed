package dev.herald.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;
import java.util.Map;

/**
 * Herald's logging, set up in code (Logback finds this class as a service) instead of from a {@code
 * logback.xml}: Logback's XML configurator and the JDK's XML parser load about 500 classes that
 * stay in metaspace for the life of the process, for a configuration of a few lines.
 *
 * <p>Lines go to stderr as {@code HH:mm:ss.SSS LEVEL [thread] logger - message}; the root level is
 * {@code HERALD_LOG_LEVEL} ({@code INFO} when unset or not a level), and the libraries that narrate
 * their own start-up log warnings and errors only. A file named by the system property {@code
 * logback.configurationFile} (for instance through {@code HERALD_OPTS}) replaces all of this.
 */
public final class Logging extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";

  /** Libraries logged at WARN and above only, whatever the root level. */
  static final List<String> QUIET =
      List.of("org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari", "org.flywaydb");

  private final Map<String, String> env;

  /** As Logback's service loader makes it: reads the process environment. */
  public Logging() {
    this(System.getenv());
  }

  Logging(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(env.get("HERALD_LOG_LEVEL"), Level.INFO));
    root.addAppender(stderr);
    for (String name : QUIET) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
