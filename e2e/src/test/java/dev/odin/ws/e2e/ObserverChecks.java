package dev.odin.ws.e2e;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Questions the stories ask of a {@link ShardObserver}'s samples. */
final class ObserverChecks {
  private ObserverChecks() {}

  /** The pod's Ready condition is True, as the kubelet reported it. */
  static boolean ready(io.fabric8.kubernetes.api.model.Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static boolean readyPod(ShardObserver.Sample s) {
    return s.ready() && !s.deleting();
  }

  /** When the pod instance was first seen being deleted; empty if never. */
  static Optional<Instant> deletionSeen(List<ShardObserver.Sample> samples) {
    return samples.stream().filter(ShardObserver.Sample::deleting).map(ShardObserver.Sample::at).findFirst();
  }

  /**
   * The clients the shard said it held in its last answer before its pod was marked for deletion: 0 when the operator
   * waited until it was empty.
   */
  static long connectionsWhenDeletionBegan(List<ShardObserver.Sample> samples) {
    long last = -1;
    for (ShardObserver.Sample s : samples) {
      if (s.deleting()) {
        break;
      }
      if (s.connections() >= 0) {
        last = s.connections();
      }
    }
    return last;
  }
}
