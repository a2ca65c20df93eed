package dev.herald.eventtype;

import dev.herald.core.HeraldError;
import dev.herald.web.Access;
import dev.herald.web.Api;
import dev.herald.web.Input;
import dev.herald.web.Page;
import io.javalin.http.Context;
import java.util.List;

/**
 * Svix's Event Type resource under {@code /api/v1/event-type}. Writes need an organisation token;
 * app tokens may list and read, as Svix lets the app portal do.
 */
public final class EventTypeRoutes {
  private static final String ONE = "/api/v1/event-type/{event_type_name}";

  private final Api api;
  private final EventTypeService eventTypes;

  public EventTypeRoutes(Api api, EventTypeService eventTypes) {
    this.api = api;
    this.eventTypes = eventTypes;
  }

  public void register() {
    api.get(
        "/api/v1/event-type",
        Access.ANY,
        ctx -> {
          Page page = Page.from(ctx, false);
          boolean archived = queryBool(ctx, "include_archived");
          boolean content = queryBool(ctx, "with_content");
          api.respond(ctx, 200, eventTypes.list(Api.scope(ctx), page, archived, content));
        });
    api.post(
        "/api/v1/event-type",
        Access.ORG,
        ctx -> {
          Input in = api.input(ctx);
          EventTypeIn body = EventTypeIn.read(in);
          in.done();
          api.respond(ctx, 201, EventTypeOut.of(eventTypes.create(Api.scope(ctx), body)));
        });
    api.get(
        ONE,
        Access.ANY,
        ctx -> api.respond(ctx, 200, EventTypeOut.of(eventTypes.get(Api.scope(ctx), name(ctx)))));
    api.put(
        ONE,
        Access.ORG,
        ctx -> {
          String name = validName(ctx);
          Input in = api.input(ctx);
          EventTypeIn body = EventTypeIn.readUpdate(in, name);
          in.done();
          EventTypeService.Saved saved = eventTypes.upsert(Api.scope(ctx), body);
          api.respond(ctx, saved.created() ? 201 : 200, EventTypeOut.of(saved.eventType()));
        });
    api.patch(
        ONE,
        Access.ORG,
        ctx -> {
          Input in = api.input(ctx);
          EventTypeIn.PatchIn body = EventTypeIn.PatchIn.read(in);
          in.done();
          api.respond(ctx, 200, EventTypeOut.of(eventTypes.patch(Api.scope(ctx), name(ctx), body)));
        });
    api.delete(
        ONE,
        Access.ORG,
        ctx -> {
          eventTypes.delete(Api.scope(ctx), name(ctx), queryBool(ctx, "expunge"));
          api.noContent(ctx);
        });
  }

  private static String name(Context ctx) {
    return ctx.pathParam("event_type_name");
  }

  /** The path's name, checked like a body's: PUT may create an event type with it. */
  private static String validName(Context ctx) {
    String name = name(ctx);
    boolean ok =
        !name.isEmpty()
            && name.length() <= EventTypeIn.MAX_NAME_LENGTH
            && Input.ID_LIKE.matcher(name).matches();
    if (!ok) {
      throw HeraldError.Invalid.of(
          List.of("path", "event_type_name"),
          "string does not match regex \"" + Input.ID_LIKE.pattern() + "\"",
          "value_error.str.regex");
    }
    return name;
  }

  /** A boolean query parameter, false when absent; anything but true or false is a 422. */
  private static boolean queryBool(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw Page.query(name, "value could not be parsed to a boolean", "type_error.bool");
  }
}
