package dev.herald.endpoint;

import java.util.List;
import java.util.Set;

/**
 * What the delivery path caches of one application: every endpoint that is not deleted, by id, and
 * the ids of those in a failure streak (so that a success clears a streak only where one runs).
 */
public record LiveEndpoints(List<Endpoint> all, Set<String> failing) {
  /** The cache's weight of this entry: one per endpoint, plus one. */
  int weight() {
    return 1 + all.size();
  }
}
