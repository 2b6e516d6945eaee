package dev.odin.ws.operator;

import dev.odin.ws.api.ScaleDownPlan;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.operator.model.WsClusterNames;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * groups.
 */
public final class ScaleDownCoordinator {
  private final ScaleDownTracker tracker;
  private final ShardStatsReader shards;
  private final ConsumerGroupCleaner groups;
  private final EventRecorder events;
  private final KubernetesClient client;

  public ScaleDownCoordinator(ScaleDownTracker tracker, ShardStatsReader shards, ConsumerGroupCleaner groups,
      EventRecorder events, KubernetesClient client) {
    this.client = client;
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
    if (desired < current) {
      inProgress.filter(s -> s.to != desired).ifPresent(s -> restartDrained(cr, s, desired));
      return drain(cr, tracker.begin(id, current, desired), stats, now);
    }
    inProgress.ifPresent(s -> {
      if (s.drained && current == s.to) {
        List<String> removed = IntStream.range(s.to, s.from).mapToObj(i -> WsClusterDefaults.consumerGroup(cr, i)).toList();
        events.normal(cr, "ScaledDown", "StatefulSet replicas " + s.from + " -> " + s.to
            + "; deleting consumer groups " + removed);
        groups.schedule(cr, removed);
      } else {
        restartDrained(cr, s, current);
      }
      tracker.finish(id);
    });
    for (String group : groups.deletePending(cr)) {
      events.normal(cr, "ConsumerGroupDeleted", "deleted consumer group " + group + " of a removed shard");
    }
    return new Step(Set.of(), groups.hasPending(cr));
  }

  /** A shard asked to drain never takes clients again: restart the pods of drained shards that now stay. */
  private void restartDrained(WsCluster cr, ScaleDownTracker.ScaleDown s, int staying) {
    List<Integer> restart = s.draining().stream().filter(i -> i < staying).toList();
    if (restart.isEmpty()) {
      return;
    }
    events.warning(cr, "ScaleDownCancelled", "spec.shards changed during the drain; restarting drained shards "
        + restart + " so they take clients again");
    for (int i : restart) {
      client.pods().inNamespace(cr.getMetadata().getNamespace()).withName(WsClusterNames.shardPod(cr, i)).delete();
    }
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
