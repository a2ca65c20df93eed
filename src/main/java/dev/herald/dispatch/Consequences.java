package dev.herald.dispatch;

import dev.herald.delivery.Attempt;
import dev.herald.delivery.Delivery;
import dev.herald.delivery.DeliveryEvents;
import dev.herald.delivery.Status;
import dev.herald.endpoint.EndpointService;
import dev.herald.store.Tx;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one recorded attempt changes beyond its delivery row, in the same transaction: the
 * endpoint's failure lifecycle (a success ends a streak; an exhaustion may disable, Svix's rule; a
 * 410 Gone disables at once) and the operational events ({@code message.attempt.failing} on the
 * {@link #FAILING_AFTER}th failure when a retry follows, {@code message.attempt.exhausted} on the
 * last, {@code message.attempt.recovered} on a success after a failing event, {@code
 * endpoint.disabled} when this attempt disabled the endpoint). Stateless; thread-safe.
 */
final class Consequences {
  /** The failure of a delivery that sends {@code message.attempt.failing} (Svix: the 4th). */
  static final int FAILING_AFTER = 4;

  /** What the transaction did: whether it disabled the endpoint, and the events' deliveries. */
  record Done(boolean disabled, List<String> deliveries) {}

  /** What an attempt with no consequences did. */
  static final Done NOTHING = new Done(false, List.of());

  private final EndpointService endpoints;
  private final DeliveryEvents events;
  private final Duration disableAfter;

  Consequences(EndpointService endpoints, DeliveryEvents events, Duration disableAfter) {
    this.endpoints = endpoints;
    this.events = events;
    this.disableAfter = disableAfter;
  }

  /**
   * True when {@link #apply} would change nothing for this attempt (the common case: a success on
   * an endpoint with no failure streak, or a failure that is neither the last, nor the {@link
   * #FAILING_AFTER}th, nor a 410), so the caller may skip it. Judged from the same state {@code
   * apply} reads: the delivery row as claimed and the endpoint cache.
   */
  boolean none(Delivery d, Attempt attempt, Long next, boolean gone) {
    if (attempt.status() == Status.SUCCESS) {
      return d.attempts() < FAILING_AFTER && !endpoints.maybeFailing(d.appId(), d.endpointId());
    }
    boolean exhausted = next == null && d.triggerType() == Delivery.SCHEDULED;
    return !gone && !exhausted && !(d.attempts() + 1 == FAILING_AFTER && next != null);
  }

  /**
   * Applies the consequences of {@code attempt} of {@code d} (its {@code d.attempts() + 1}th),
   * recorded at {@code now} with the next attempt at {@code next} (null: none). {@code held}: the
   * attempt's worker still held the delivery; otherwise the message events are left to the worker
   * that holds it now.
   */
  Done apply(Tx tx, Delivery d, Attempt attempt, Long next, boolean gone, boolean held, long now)
      throws SQLException {
    boolean exhausted =
        attempt.status() != Status.SUCCESS && next == null && d.triggerType() == Delivery.SCHEDULED;
    List<String> ids = new ArrayList<>(held ? report(tx, d, attempt, exhausted, next) : List.of());
    if (attempt.status() == Status.SUCCESS) {
      if (endpoints.maybeFailing(d.appId(), d.endpointId())) {
        endpoints.recordSuccess(tx, d.endpointId());
      }
      return new Done(false, ids);
    }
    if (!gone && !exhausted) {
      return new Done(false, ids);
    }
    long failSince = endpoints.failingSince(tx, d.endpointId()).orElse(now);
    boolean disabled =
        gone
            ? endpoints.disableGone(tx, d.endpointId(), now)
            : endpoints.recordExhausted(tx, d.endpointId(), now, disableAfter);
    if (disabled) {
      ids.addAll(events.endpointDisabled(tx, d.endpointId(), failSince));
    }
    return new Done(disabled, ids);
  }

  private List<String> report(Tx tx, Delivery d, Attempt attempt, boolean exhausted, Long next)
      throws SQLException {
    if (attempt.status() == Status.SUCCESS) {
      return d.attempts() >= FAILING_AFTER ? events.recovered(tx, d, attempt) : List.of();
    }
    if (exhausted) {
      return events.exhausted(tx, d, attempt);
    }
    return d.attempts() + 1 == FAILING_AFTER && next != null
        ? events.failing(tx, d, attempt)
        : List.of();
  }
}
