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
import ch.qos.logback.core.status.WarnStatus;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Herald's logging, set up in code (Logback finds this class as a service) instead of from a {@code
 * logback.xml}: Logback's XML configurator and the JDK's XML parser load about 460 classes that
 * stay in metaspace for the life of the process, for a configuration of a few lines.
 *
 * <p>Lines go to stderr as {@code HH:mm:ss.SSS LEVEL [thread] logger - message}; the root level is
 * the environment's {@code HERALD_LOG_LEVEL} ({@code INFO} when unset or not a level), and the
 * libraries that narrate their own start-up log at {@code WARN} or the root level, whichever is
 * stricter. A Logback file named by the system property {@code logback.configurationFile} (for
 * instance through {@code HERALD_OPTS}) replaces all of this, if it exists; if it does not, this
 * configuration stays, and Logback prints the warning this adds to its status list.
 */
public final class Logging extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";

  /** Libraries logged at WARN and above only (or at the root level, when it is stricter). */
  static final List<String> QUIET =
      List.of("org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari", "org.flywaydb");

  private final Map<String, String> env;
  private final UnaryOperator<String> properties;

  /** As Logback's service loader makes it: reads the process environment and system properties. */
  public Logging() {
    this(System.getenv(), System::getProperty);
  }

  Logging(Map<String, String> env, UnaryOperator<String> properties) {
    this.env = env;
    this.properties = properties;
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    String file = properties.apply(ContextInitializer.CONFIG_FILE_PROPERTY);
    if (file != null) {
      if (exists(file)) {
        return ExecutionStatus.INVOKE_NEXT_IF_ANY;
      }
      // Logback would fall back to its own defaults: everything at DEBUG, on stdout.
      context
          .getStatusManager()
          .add(
              new WarnStatus(
                  ContextInitializer.CONFIG_FILE_PROPERTY
                      + " names "
                      + file
                      + ", which does not exist",
                  this));
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
    Level level = Level.toLevel(env.get("HERALD_LOG_LEVEL"), Level.INFO);
    root.setLevel(level);
    root.addAppender(stderr);
    Level quiet = level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN;
    for (String name : QUIET) {
      context.getLogger(name).setLevel(quiet);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Whether Logback can read {@code location}: a file, a URL, or a resource on the class path. */
  static boolean exists(String location) {
    try {
      if (Files.isReadable(Path.of(location))) {
        return true;
      }
    } catch (InvalidPathException e) {
      // not a path; maybe a URL
    }
    try {
      URI.create(location).toURL();
      return true;
    } catch (IllegalArgumentException | MalformedURLException e) {
      return Logging.class.getClassLoader().getResource(location) != null;
    }
  }
}
