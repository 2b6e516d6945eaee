package dev.odin.ws.operator;

import dev.odin.ws.api.DrainStatus;
import dev.odin.ws.api.ScaleDownPlan;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Scale-down in three steps: drain the shards that go (POST /drain, then wait until they are empty or their drain
 * window has passed), let the StatefulSet dependent lower the replicas, then delete the removed shards' consumer
 * groups. Every step is recorded in the WsCluster's status before it is taken ({@code status.drain},
 * {@code status.consumerGroupsToDelete}), so an operator that restarts or takes over the lease continues the same
 * drain with the same window. A scale-down whose drain has started is finished before the shard count changes again.
 */
public final class ScaleDownCoordinator {
  private final ShardStatsReader shards;
  private final ConsumerGroupCleaner groups;
  private final EventRecorder events;
  private final StatusApplier status;

  public ScaleDownCoordinator(ShardStatsReader shards, ConsumerGroupCleaner groups, EventRecorder events,
      StatusApplier status) {
    this.shards = shards;
    this.groups = groups;
    this.events = events;
    this.status = status;
  }

  /** Where the scale-down stands after this step: what the status should now say. */
  public record Step(DrainStatus drain, List<String> consumerGroupsToDelete, boolean active) {
    Set<Integer> draining() {
      return drain == null ? Set.of() : DrainProgress.asked(drain);
    }
  }

  /** @param replicas the StatefulSet's replicas now */
  public Step step(WsCluster cr, int replicas, ShardsObserved observed, Instant now) throws InterruptedException {
    int desired = WsClusterDefaults.shards(cr);
    DrainStatus drain = DrainProgress.current(cr, DrainStatus.Reason.ScaleDown).orElse(null);
    if (drain == null && desired < replicas) {
      // About to begin a drain: make sure none began in a status write this reconcile's input does not show yet.
      drain = DrainProgress.current(status.latest(cr), DrainStatus.Reason.ScaleDown).orElse(null);
    }
    Set<String> toDelete = new LinkedHashSet<>(Optional.ofNullable(cr.getStatus())
        .map(WsClusterStatus::getConsumerGroupsToDelete).orElse(List.of()));
    if (drain != null && Boolean.TRUE.equals(drain.getDrained()) && replicas == drain.getToShards()) {
      List<String> removed = IntStream.range(drain.getToShards(), drain.getFromShards())
          .mapToObj(i -> WsClusterDefaults.consumerGroup(cr, i)).toList();
      events.normal(cr, "ScaledDown", "StatefulSet replicas " + drain.getFromShards() + " -> " + drain.getToShards()
          + "; deleting consumer groups " + removed);
      toDelete.addAll(removed);
      drain = null;
      List<String> recorded = List.copyOf(toDelete);
      status.apply(cr, s -> {
        s.setDrain(null);
        s.setConsumerGroupsToDelete(recorded);
      });
    } else if (drain != null || desired < replicas) {
      if (drain == null) {
        drain = new DrainStatus(DrainStatus.Reason.ScaleDown, replicas, desired, now.toString());
      } else if (drain.getToShards() != desired && specChanged(cr)) {
        events.normal(cr, "ScaleDownContinues", "spec.shards is now " + desired + "; finishing the scale-down to "
            + drain.getToShards() + " first (drained shards do not take clients again)");
      }
      drainStep(cr, drain, observed, now);
    }
    if (!toDelete.isEmpty()) {
      for (String group : groups.delete(cr, toDelete)) {
        events.normal(cr, "ConsumerGroupDeleted", "deleted consumer group " + group + " of a removed shard");
        toDelete.remove(group);
      }
    }
    return new Step(drain, toDelete.isEmpty() ? null : List.copyOf(toDelete),
        drain != null || !toDelete.isEmpty() || desired != replicas);
  }

  /**
   * Asks the shards of {@code drain} that were not asked yet, and again those recorded as asked that say they are
   * not draining, after recording the time in the status; marks the drain done once every shard is empty or past
   * its window.
   */
  void drainStep(WsCluster cr, DrainStatus drain, ShardsObserved observed, Instant now) {
    boolean goingAway = drain.getReason() == DrainStatus.Reason.Delete;
    List<Integer> plan = ScaleDownPlan.shardsToDrain(drain.getFromShards(), drain.getToShards());
    List<Integer> again = Boolean.TRUE.equals(drain.getDrained()) ? List.of()
        : DrainProgress.unheard(drain, observed.stats());
    List<Integer> ask = new ArrayList<>(plan);
    ask.removeAll(DrainProgress.asked(drain));
    if (!ask.isEmpty() || !again.isEmpty()) {
      ask.forEach(index -> DrainProgress.recordAsked(drain, index, now));
      again.forEach(index -> DrainProgress.recordAskedAgain(drain, index, now));
      status.apply(cr, s -> s.setDrain(drain)); // the window is in the API before any shard hears of it
      for (int index : plan) {
        if (ask.contains(index) || again.contains(index)) {
          boolean reached = shards.drain(cr, observed.endpoints().get(index), goingAway);
          events.normal(cr, goingAway ? "ClosingClients" : "DrainingShard", "shard " + index + " asked to close "
              + "its clients with " + (goingAway ? "1001" : "1012") + " over " + WsClusterDefaults.drainSeconds(cr)
              + "s" + (again.contains(index) ? " (again: it was recorded as asked but said it was not draining)" : "")
              + (reached ? "" : " (not reachable: it holds no client once its pod is gone, else after its window)"));
        }
      }
    }
    if (!Boolean.TRUE.equals(drain.getDrained())
        && DrainProgress.done(cr, drain, Set.copyOf(plan), observed.stats(), observed.running(), now)) {
      drain.setDrained(true);
      events.normal(cr, "ShardsDrained", "shards " + DrainProgress.asked(drain) + " drained"
          + (goingAway ? "" : "; lowering replicas to " + drain.getToShards()));
    }
  }

  /** A spec change the status has not answered yet: said once per edit, not on every reconcile. */
  private static boolean specChanged(WsCluster cr) {
    Long observed = Optional.ofNullable(cr.getStatus()).map(WsClusterStatus::getObservedGeneration).orElse(null);
    return !Objects.equals(observed, cr.getMetadata().getGeneration());
  }
}
