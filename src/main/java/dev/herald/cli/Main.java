package dev.herald.cli;

import dev.herald.Herald;
import dev.herald.auth.Tokens;
import dev.herald.config.ConfigException;
import dev.herald.config.ConfigLoader;
import dev.herald.config.HeraldConfig;
import dev.herald.core.Ids;
import dev.herald.store.Store;
import dev.herald.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code herald} command line. */
@Command(
    name = "herald",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Herald: a webhook delivery server that speaks Svix's HTTP API.",
      "Configuration comes from the built-in defaults, an optional TOML file, then HERALD_*"
          + " environment variables (see the README)."
    },
    subcommands = {Main.Serve.class, Main.Migrate.class, Main.Jwt.class})
public final class Main implements Callable<Integer> {

  @Option(
      names = {"-c", "--config"},
      description = "TOML configuration file (default: $HERALD_CONFIG_FILE, if set).",
      scope = CommandLine.ScopeType.INHERIT)
  Path configFile;

  /** Without a subcommand, {@code herald} serves. */
  @Override
  public Integer call() throws Exception {
    return new Serve().run(this);
  }

  private final Map<String, String> env;

  Main(Map<String, String> env) {
    this.env = env;
  }

  HeraldConfig config() {
    Path file = configFile;
    if (file == null && env.get("HERALD_CONFIG_FILE") != null) {
      file = Path.of(env.get("HERALD_CONFIG_FILE"));
    }
    return ConfigLoader.load(file, env);
  }

  public static void main(String[] args) {
    System.exit(commandLine(System.getenv()).execute(args));
  }

  /** The command line over {@code env}, with Herald's error handling. */
  public static CommandLine commandLine(Map<String, String> env) {
    CommandLine cli = new CommandLine(new Main(env));
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof ConfigException) {
            cmd.getErr().println("herald: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cli;
  }

  /** {@code herald serve}. */
  @Command(name = "serve", description = "Run the server (the default command).")
  static final class Serve implements Callable<Integer> {
    @CommandLine.ParentCommand Main parent;

    @Override
    public Integer call() throws Exception {
      return run(parent);
    }

    int run(Main main) throws InterruptedException {
      HeraldConfig cfg = main.config();
      Herald herald = Herald.start(cfg, Clock.systemUTC());
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    herald.close();
                    stopped.countDown();
                  },
                  "herald-shutdown"));
      stopped.await();
      return 0;
    }
  }

  /** {@code herald migrate}. */
  @Command(name = "migrate", description = "Apply database migrations, then exit.")
  static final class Migrate implements Callable<Integer> {
    @CommandLine.ParentCommand Main parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      HeraldConfig cfg = parent.config();
      try (Store store = Stores.open(cfg.store())) {
        store.migrate();
      }
      spec.commandLine().getOut().println("migrations applied");
      return 0;
    }
  }

  /** {@code herald jwt generate}. */
  @Command(
      name = "jwt",
      description = "API tokens.",
      subcommands = {Jwt.Generate.class})
  static final class Jwt {
    @CommandLine.ParentCommand Main parent;

    @Command(
        name = "generate",
        description = "Print an organisation bearer token signed with the configured secret.")
    static final class Generate implements Callable<Integer> {
      @CommandLine.ParentCommand Jwt jwt;

      @Option(names = "--org", description = "Organisation id (default: the configured org_id).")
      String org;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() {
        HeraldConfig cfg = jwt.parent.config();
        String orgId = org != null ? org : cfg.auth().defaultOrgId();
        if (!Ids.Prefix.ORG.matches(orgId)) {
          spec.commandLine()
              .getErr()
              .println("herald: --org must be 'org_' followed by a 27-character KSUID");
          return 2;
        }
        String secret =
            cfg.auth().jwtSecret() != null
                ? cfg.auth().jwtSecret()
                : Herald.keptSecret(cfg.dataDir());
        spec.commandLine().getOut().println(new Tokens(secret, Clock.systemUTC()).orgToken(orgId));
        return 0;
      }
    }
  }

  /** Reads the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"herald " + (v == null ? "dev" : v)};
    }
  }
}
