package dev.odin.ws.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory state of the scale-downs in progress, shared by the StatefulSet dependent (which keeps the old replica
 * count until the drain is done) and the reconciler (which drains). Lost on a leader change: the new leader simply
 * drains again, which the shards accept (POST /drain is idempotent).
 */
public final class ScaleDownTracker {
  /** One scale-down from {@code from} to {@code to} replicas; drain start per shard index. */
  public static final class ScaleDown {
    final int from;
    final int to;
    final Map<Integer, Instant> drainStarted = new TreeMap<>();
    volatile boolean drained;

    ScaleDown(int from, int to) {
      this.from = from;
      this.to = to;
    }

    public Set<Integer> draining() {
      return drainStarted.keySet();
    }
  }

  private final Map<ResourceID, ScaleDown> inProgress = new ConcurrentHashMap<>();

  /**
   * Replicas the StatefulSet should have now. A scale-down whose drain has started is finished first, whatever
   * spec.shards says meanwhile: a shard told to drain never takes clients again, so it is removed and, if the
   * count goes up again, replaced by a fresh pod.
   */
  public int replicasNow(ResourceID id, int desired, Integer current) {
    ScaleDown s = inProgress.get(id);
    if (s != null) {
      return s.drained ? s.to : s.from;
    }
    if (current == null || desired >= current) {
      return desired;
    }
    return current;
  }

  /** The scale-down in progress, or a new one from {@code from} to {@code to}. */
  ScaleDown begin(ResourceID id, int from, int to) {
    return inProgress.computeIfAbsent(id, k -> new ScaleDown(from, to));
  }

  Optional<ScaleDown> get(ResourceID id) {
    return Optional.ofNullable(inProgress.get(id));
  }

  void finish(ResourceID id) {
    inProgress.remove(id);
  }
}
