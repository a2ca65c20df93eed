package dev.herald.endpoint;

import dev.herald.store.Tx;
import java.sql.SQLException;
import java.util.List;

/**
 * The hook through which endpoint changes become operational webhooks ({@code endpoint.created},
 * {@code endpoint.updated}, {@code endpoint.deleted}, {@code endpoint.disabled}). The feature that
 * implements it sits above this one, so {@link EndpointService} never imports it.
 *
 * <p>Contract: {@link #changed} and {@link #disabled} run inside the caller's transaction, write
 * the event (a message and its deliveries) there, and return the new delivery ids; the caller
 * passes those to {@link #handOff} only after its transaction committed. So an event exists if and
 * only if the change it reports was committed. Implementations are stateless and thread-safe.
 * {@link #NONE} is the implementation for endpoints that report to nobody.
 */
public interface EndpointEvents {
  /** What happened to an endpoint. */
  enum Change {
    CREATED,
    UPDATED,
    DELETED
  }

  /** Reports that {@code endpoint} was created, updated or deleted; returns delivery ids. */
  List<String> changed(Tx tx, Endpoint endpoint, Change change) throws SQLException;

  /** Reports that a user disabled {@code endpoint} (trigger "manual"); returns delivery ids. */
  List<String> disabled(Tx tx, Endpoint endpoint) throws SQLException;

  /** Offers committed delivery ids to the queue. */
  void handOff(List<String> deliveryIds);

  /** Reports nothing. */
  EndpointEvents NONE =
      new EndpointEvents() {
        @Override
        public List<String> changed(Tx tx, Endpoint endpoint, Change change) {
          return List.of();
        }

        @Override
        public List<String> disabled(Tx tx, Endpoint endpoint) {
          return List.of();
        }

        @Override
        public void handOff(List<String> deliveryIds) {}
      };
}
