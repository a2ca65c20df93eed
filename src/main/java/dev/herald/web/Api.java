package dev.herald.web;

import dev.herald.config.HeraldConfig;
import dev.herald.core.HeraldError;
import dev.herald.core.Scope;
import dev.herald.store.Store;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The HTTP API: Javalin on Jetty with one virtual thread per request. Features register their
 * routes here through {@link #route}; every route is wrapped once with authentication, and every
 * POST with idempotency. The registered routes are kept as data ({@link #routes()}), which is how
 * the OpenAPI document is checked against what is served.
 */
public final class Api {
  /** Listen backlog: connections the kernel holds completed before Jetty accepts them. */
  static final int ACCEPT_QUEUE = 1024;

  /**
   * Javalin copies each response body to Jetty through a buffer of this size, allocated per
   * response (by default Jetty's 32 KiB output buffer, once the largest allocation per request): a
   * JSON body of a few KiB needs one pass, and Jetty aggregates the writes of a larger one.
   */
  static final int RESPONSE_COPY_BUFFER_BYTES = 8192;

  /** Context attribute holding the caller's {@link Scope}. */
  static final String SCOPE_ATTRIBUTE = "herald.scope";

  /** One registered route. */
  public record Route(String method, String path, Access access) {}

  private final HeraldConfig.Http cfg;
  private final Json json;
  private final Authenticator auth;
  private final Idempotency idempotency;
  private final ErrorMapper errors;
  private final Admission admission;
  private final List<Route> routes = new ArrayList<>();
  private final List<Consumer<io.javalin.config.JavalinConfig>> registrations = new ArrayList<>();

  public Api(HeraldConfig.Http cfg, Json json, Authenticator auth, Store store, Clock clock) {
    this.cfg = cfg;
    this.json = json;
    this.auth = auth;
    this.idempotency = new Idempotency(store, clock, cfg.idempotencyTtl());
    this.errors = new ErrorMapper(json);
    this.admission =
        new Admission(cfg.maxConcurrentRequests(), cfg.maxInFlightBodyBytes(), cfg.apiRateLimit());
  }

  /** The admission control of this API, for the metrics. */
  public Admission admission() {
    return admission;
  }

  public Json json() {
    return json;
  }

  /**
   * Registers {@code handler} for {@code method} on {@code path} (Javalin syntax, {@code {id}}).
   */
  public void route(HandlerType method, String path, Access access, Handler handler) {
    routes.add(new Route(method.name(), path, access));
    Handler wrapped =
        guarded(access, method == HandlerType.POST ? idempotency.wrap(handler) : handler);
    registrations.add(c -> c.routes.addHttpHandler(method, path, wrapped));
  }

  public void get(String path, Access access, Handler handler) {
    route(HandlerType.GET, path, access, handler);
  }

  public void post(String path, Access access, Handler handler) {
    route(HandlerType.POST, path, access, handler);
  }

  public void put(String path, Access access, Handler handler) {
    route(HandlerType.PUT, path, access, handler);
  }

  public void patch(String path, Access access, Handler handler) {
    route(HandlerType.PATCH, path, access, handler);
  }

  public void delete(String path, Access access, Handler handler) {
    route(HandlerType.DELETE, path, access, handler);
  }

  public List<Route> routes() {
    return List.copyOf(routes);
  }

  private Handler guarded(Access access, Handler handler) {
    return ctx -> {
      if (access != Access.PUBLIC) {
        Scope scope = auth.authenticate(ctx.header("Authorization"));
        if (access == Access.ORG) {
          scope.requireOrg();
        }
        admission.rate(scope);
        ctx.attribute(SCOPE_ATTRIBUTE, scope);
      }
      handler.handle(ctx);
    };
  }

  /** The caller's scope; only on routes that are not {@link Access#PUBLIC}. */
  public static Scope scope(Context ctx) {
    Scope scope = ctx.attribute(SCOPE_ATTRIBUTE);
    if (scope == null) {
      throw new IllegalStateException("no scope on a public route");
    }
    return scope;
  }

  /** Reads and validates the JSON body of {@code ctx}, bounded by the configured size. */
  public Input input(Context ctx) {
    return input(ctx, Set.of());
  }

  /**
   * Like {@link #input(Context)}, keeping the top-level fields {@code rawFields} out of the parsed
   * tree: {@link Input#raw} gives their exact source text (a payload is never built as a tree).
   */
  public Input input(Context ctx, Set<String> rawFields) {
    byte[] bytes = body(ctx);
    Json.Parsed parsed = json.parse(bytes, rawFields);
    return Input.of(parsed.tree(), new Input.RawSource(json, bytes, parsed.raw()));
  }

  /** The raw body, refused with 413 past the configured size, before it is buffered whole. */
  public byte[] body(Context ctx) {
    long max = cfg.maxRequestBodyBytes();
    long declared = ctx.req().getContentLengthLong();
    if (declared > max) {
      throw tooLarge(max);
    }
    long deadline = System.nanoTime() + cfg.bodyReadTimeout().toNanos();
    if (declared > 0) {
      admission.reserve(ctx, declared);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared > 0) {
        return readDeclared(in, (int) declared, deadline);
      }
      ByteArrayOutputStream out =
          new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), max));
      byte[] buf = new byte[8192];
      long total = 0;
      int n;
      while ((n = in.read(buf)) != -1) {
        total += n;
        if (total > max) {
          throw tooLarge(max);
        }
        if (declared <= 0) {
          // No length was declared (chunked): reserve the bytes as they come.
          admission.reserve(ctx, n);
        }
        if (System.nanoTime() > deadline) {
          throw new HeraldError.Timeout("The request body arrived too slowly.");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new HeraldError.BadRequest("invalid_body", "Could not read the request body.");
    }
  }

  /**
   * Reads a body of a declared length straight into one array of that size: a large body is not
   * copied again (each copy of a 1 MiB body is a humongous object to G1).
   */
  private static byte[] readDeclared(InputStream in, int length, long deadline) throws IOException {
    byte[] out = new byte[length];
    int total = 0;
    int n;
    while (total < length && (n = in.read(out, total, Math.min(8192, length - total))) != -1) {
      total += n;
      if (System.nanoTime() > deadline) {
        throw new HeraldError.Timeout("The request body arrived too slowly.");
      }
    }
    return total == length ? out : java.util.Arrays.copyOf(out, total);
  }

  private static HeraldError.TooLarge tooLarge(long max) {
    return new HeraldError.TooLarge("The request body is larger than " + max + " bytes.");
  }

  /** Writes {@code body} as JSON with {@code status}. */
  public void respond(Context ctx, int status, Object body) {
    Responses.json(ctx, json, status, body);
  }

  public void noContent(Context ctx) {
    Responses.noContent(ctx);
  }

  /** Health and metrics stay answerable when the API sheds load. */
  private static boolean exempt(String path) {
    return path.startsWith("/api/v1/health") || path.equals("/metrics");
  }

  /** Builds and starts the server on the configured address. */
  public Javalin start() {
    Javalin app =
        Javalin.create(
            config -> {
              config.concurrency.useVirtualThreads = true;
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.router.ignoreTrailingSlashes = true;
              config.router.treatMultipleSlashesAsSingleSlash = true;
              config.http.maxRequestSize = cfg.maxRequestBodyBytes();
              config.http.generateEtags = false;
              config.http.responseBufferSize = RESPONSE_COPY_BUFFER_BYTES;
              config.jetty.host = cfg.host();
              config.jetty.port = cfg.port();
              config.jetty.modifyHttpConfiguration(
                  http -> {
                    http.setRequestHeaderSize(cfg.maxHeaderBytes());
                    http.setSendServerVersion(false);
                  });
              config.jetty.modifyServer(
                  server -> {
                    server.addBean(
                        new org.eclipse.jetty.server.NetworkConnectionLimit(
                            cfg.maxConnections(), server));
                    server.addEventListener(acceptQueue(server));
                  });
              config.routes.before(
                  ctx -> {
                    if (!exempt(ctx.path())) {
                      admission.enter(ctx);
                    }
                  });
              config.routes.after(admission::leave);
              config.bundledPlugins.enableCors(
                  cors ->
                      cors.addRule(
                          rule -> {
                            rule.reflectClientOrigin = true;
                            rule.exposeHeader("Retry-After");
                          }));
              config.routes.exception(HeraldError.class, errors::handle);
              config.routes.exception(Exception.class, errors::internal);
              config.routes.error(
                  404,
                  ctx -> {
                    if (ctx.attribute(Responses.BODY_ATTRIBUTE) == null) {
                      Responses.json(
                          ctx,
                          json,
                          404,
                          java.util.Map.of("code", "not_found", "detail", "Route not found."));
                    }
                  });
              config.routes.error(
                  405,
                  ctx -> {
                    if (ctx.attribute(Responses.BODY_ATTRIBUTE) == null) {
                      Responses.json(
                          ctx,
                          json,
                          405,
                          java.util.Map.of(
                              "code", "method_not_allowed", "detail", "Method not allowed."));
                    }
                  });
              registrations.forEach(r -> r.accept(config));
            });
    return app.start();
  }

  /**
   * Sizes the listen backlog of Javalin's connector once it exists (just before it opens): Java's
   * default of 50 lets a burst of connections overflow the kernel's accept queue, whose dropped
   * handshakes clients see as connections closed without an answer instead of a 503.
   */
  private org.eclipse.jetty.util.component.LifeCycle.Listener acceptQueue(
      org.eclipse.jetty.server.Server server) {
    return new org.eclipse.jetty.util.component.LifeCycle.Listener() {
      @Override
      public void lifeCycleStarting(org.eclipse.jetty.util.component.LifeCycle event) {
        for (org.eclipse.jetty.server.Connector c : server.getConnectors()) {
          if (c instanceof org.eclipse.jetty.server.ServerConnector sc) {
            sc.setAcceptQueueSize(ACCEPT_QUEUE);
          }
        }
      }
    };
  }

  /**
   * Runs {@code before} ahead of every request and {@code after} once it is answered, also when the
   * handler failed or no route matched (for instance to meter requests). Call before {@link
   * #start}.
   */
  public void aroundEveryRequest(Handler before, Handler after) {
    registrations.add(
        c -> {
          c.routes.before(before);
          c.routes.after(after);
        });
  }
}
