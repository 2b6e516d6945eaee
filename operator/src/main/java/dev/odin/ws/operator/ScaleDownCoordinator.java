package dev.odin.ws.operator;

import dev.odin.ws.api.ScaleDownPlan;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Scale-down in three steps: drain the shards that go (POST /drain, then wait until they are empty or the drain
 * window has passed), let the StatefulSet dependent lower the replicas, then delete the removed shards' consumer
 * groups. A scale-down whose drain has started is always finished before the shard count changes again.
 */
public final class ScaleDownCoordinator {
  private final ScaleDownTracker tracker;
  private final ShardStatsReader shards;
  private final ConsumerGroupCleaner groups;
  private final EventRecorder events;

  public ScaleDownCoordinator(
      ScaleDownTracker tracker, ShardStatsReader shards, ConsumerGroupCleaner groups, EventRecorder events) {
    this.tracker = tracker;
    this.shards = shards;
    this.groups = groups;
    this.events = events;
  }

  /** Where the scale-down stands after this step. */
  public record Step(Set<Integer> draining, boolean active) {
    static final Step IDLE = new Step(Set.of(), false);
  }

  public Step step(WsCluster cr, StatefulSet sts, Map<Integer, Optional<ShardStats>> stats, Instant now)
      throws InterruptedException {
    ResourceID id = ResourceID.fromResource(cr);
    int desired = WsClusterDefaults.shards(cr);
    int current = sts.getSpec().getReplicas();
    Optional<ScaleDownTracker.ScaleDown> inProgress = tracker.get(id);
    if (inProgress.isPresent() && inProgress.get().drained && current == inProgress.get().to) {
      ScaleDownTracker.ScaleDown s = inProgress.get();
      List<String> removed = IntStream.range(s.to, s.from).mapToObj(i -> WsClusterDefaults.consumerGroup(cr, i)).toList();
      events.normal(cr, "ScaledDown", "StatefulSet replicas " + s.from + " -> " + s.to
          + "; deleting consumer groups " + removed);
      groups.schedule(cr, removed);
      tracker.finish(id);
    } else if (inProgress.isPresent() || desired < current) {
      if (inProgress.isPresent() && inProgress.get().to != desired) {
        events.normal(cr, "ScaleDownContinues", "spec.shards is now " + desired + "; finishing the scale-down to "
            + inProgress.get().to + " first (drained shards do not take clients again)");
      }
      return drain(cr, tracker.begin(id, current, desired), stats, now);
    }
    for (String group : groups.deletePending(cr)) {
      events.normal(cr, "ConsumerGroupDeleted", "deleted consumer group " + group + " of a removed shard");
    }
    return new Step(Set.of(), groups.hasPending(cr) || desired != current);
  }

  private Step drain(WsCluster cr, ScaleDownTracker.ScaleDown s, Map<Integer, Optional<ShardStats>> stats,
      Instant now) {
    Duration window = Duration.ofSeconds(WsClusterDefaults.drainSeconds(cr));
    boolean allDone = true;
    for (int index : ScaleDownPlan.shardsToDrain(s.from, s.to)) {
      if (!s.drainStarted.containsKey(index)) {
        boolean reached = shards.drain(cr, index);
        s.drainStarted.put(index, now);
        events.normal(cr, "DrainingShard", "shard " + index + " asked to drain over " + window.toSeconds() + "s"
            + (reached ? "" : " (not reachable: treated as empty)"));
      }
      long connections = stats.getOrDefault(index, Optional.empty()).map(ShardStats::connections).orElse(0L);
      boolean windowOver = !now.isBefore(s.drainStarted.get(index).plus(window));
      allDone &= connections == 0 || windowOver;
    }
    if (allDone && !s.drained) {
      s.drained = true;
      events.normal(cr, "ShardsDrained", "shards " + s.draining() + " drained; lowering replicas to " + s.to);
    }
    return new Step(Set.copyOf(s.draining()), true);
  }
}
