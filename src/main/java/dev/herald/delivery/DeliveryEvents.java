package dev.herald.delivery;

import dev.herald.store.Tx;
import java.sql.SQLException;
import java.util.List;

/**
 * The hook through which the delivery engine's outcomes become operational webhooks ({@code
 * message.attempt.failing}, {@code message.attempt.exhausted}, {@code message.attempt.recovered},
 * {@code endpoint.disabled} with trigger "automatic"). The feature that implements it sits above
 * the engine, which never imports it.
 *
 * <p>Contract: each method runs inside the transaction that records the attempt, writes the event
 * there (a message and its deliveries), and returns the new delivery ids, which the caller hands to
 * the queue after commit: an event exists if and only if the outcome it reports was committed.
 * Implementations decide themselves which deliveries are worth reporting (never those that carry
 * operational webhooks, so that events cannot beget events); stateless and thread-safe. {@link
 * #NONE} reports nothing.
 */
public interface DeliveryEvents {
  /** {@code delivery} failed its fourth attempt, {@code last}, and will be retried. */
  List<String> failing(Tx tx, Delivery delivery, Attempt last) throws SQLException;

  /** {@code delivery} failed {@code last}, the last attempt of its schedule. */
  List<String> exhausted(Tx tx, Delivery delivery, Attempt last) throws SQLException;

  /** {@code delivery} succeeded with {@code last} after a failing event was sent for it. */
  List<String> recovered(Tx tx, Delivery delivery, Attempt last) throws SQLException;

  /** The engine disabled endpoint {@code endpointId}, failing since {@code failSince} (millis). */
  List<String> endpointDisabled(Tx tx, String endpointId, long failSince) throws SQLException;

  /** Reports nothing. */
  DeliveryEvents NONE =
      new DeliveryEvents() {
        @Override
        public List<String> failing(Tx tx, Delivery delivery, Attempt last) {
          return List.of();
        }

        @Override
        public List<String> exhausted(Tx tx, Delivery delivery, Attempt last) {
          return List.of();
        }

        @Override
        public List<String> recovered(Tx tx, Delivery delivery, Attempt last) {
          return List.of();
        }

        @Override
        public List<String> endpointDisabled(Tx tx, String endpointId, long failSince) {
          return List.of();
        }
      };
}
