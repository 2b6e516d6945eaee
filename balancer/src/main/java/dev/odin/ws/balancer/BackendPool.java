package dev.odin.ws.balancer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The set of backends and the least-connections choice among them.
 *
 * <p>Picks come from every event loop at once; one short lock makes "find the minimum, then count the new
 * connection" atomic, so a burst of simultaneous clients spreads out instead of all seeing the same minimum.
 * The scan is over a handful of backends, so the lock is held for well under a microsecond.
 */
final class BackendPool {

  private final BalancerMetrics metrics;
  // Sorted by index: the scan keeps the first minimum, so ties go to the lowest index.
  private List<BackendState> members = List.of();
  // Removed backends that still carry connections: shown in status and counted in the gauges.
  private final List<BackendState> retired = new ArrayList<>();

  BackendPool(BalancerMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Returns the healthy backend with the fewest open connections, already counting the caller's new one, or
   * null when no healthy backend is left outside {@code exclude}.
   */
  synchronized BackendState pick(Set<BackendState> exclude) {
    BackendState best = null;
    for (BackendState s : members) {
      if (s.healthy()
          && !exclude.contains(s)
          && (best == null || s.activeConnections() < best.activeConnections())) {
        best = s;
      }
    }
    if (best != null) {
      best.acquire();
    }
    return best;
  }

  /**
   * Replaces the backend list. A backend whose index and addresses are unchanged keeps its state (connection
   * count and health); anything else starts fresh and unhealthy. Returns the states that are new, which
   * want a health check right away.
   */
  synchronized List<BackendState> setBackends(List<Backend> backends) {
    Map<Integer, BackendState> old = new HashMap<>();
    members.forEach(s -> old.put(s.backend().index(), s));
    List<BackendState> next = new ArrayList<>();
    List<BackendState> fresh = new ArrayList<>();
    for (Backend b : backends) {
      BackendState kept = old.get(b.index());
      if (kept != null && kept.backend().equals(b)) {
        old.remove(b.index());
        next.add(kept);
      } else {
        BackendState created = new BackendState(b);
        metrics.registerShard(b.index(), this);
        next.add(created);
        fresh.add(created);
      }
    }
    for (BackendState gone : old.values()) {
      gone.markRemoved();
      retired.add(gone);
    }
    next.sort(Comparator.comparingInt(s -> s.backend().index()));
    members = List.copyOf(next);
    pruneRetired();
    return fresh;
  }

  /** The current (not removed) backends, for the health checker. */
  synchronized List<BackendState> members() {
    return members;
  }

  synchronized List<BackendStatus> status() {
    pruneRetired();
    List<BackendStatus> out = new ArrayList<>();
    members.forEach(s -> out.add(s.status()));
    retired.forEach(s -> out.add(s.status()));
    return out;
  }

  /** Connections open to shard {@code index}, over its current and any removed incarnations. */
  synchronized int activeConnections(int index) {
    int sum = 0;
    for (BackendState s : members) {
      sum += s.backend().index() == index ? s.activeConnections() : 0;
    }
    for (BackendState s : retired) {
      sum += s.backend().index() == index ? s.activeConnections() : 0;
    }
    return sum;
  }

  synchronized boolean healthy(int index) {
    for (BackendState s : members) {
      if (s.backend().index() == index) {
        return s.healthy();
      }
    }
    return false;
  }

  private void pruneRetired() {
    retired.removeIf(s -> s.activeConnections() == 0);
  }
}
