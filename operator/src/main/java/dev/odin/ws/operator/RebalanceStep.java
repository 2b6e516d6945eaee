package dev.odin.ws.operator;

import dev.odin.ws.api.RebalanceStatus;
import dev.odin.ws.api.Rebalancer;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterSpec;
import dev.odin.ws.api.WsClusterStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the api's rebalancer for one WsCluster after a scale-up, with its progress in status.rebalance: a round is
 * recorded there before any shard is asked to shed, so an operator that takes over never asks for a round twice.
 */
public final class RebalanceStep {
  private final ShardStatsReader shards;
  private final EventRecorder events;
  private final StatusApplier status;

  public RebalanceStep(ShardStatsReader shards, EventRecorder events, StatusApplier status) {
    this.shards = shards;
    this.events = events;
    this.status = status;
  }

  /**
   * @param replicas the StatefulSet's replicas now
   * @param busy why clients must not be moved now (a drain or a scaling in progress), or null
   * @return the status to show; null when rebalancing is off or has never begun
   */
  public RebalanceStatus step(WsCluster cr, int replicas, ShardsObserved observed, String busy, Instant now) {
    if (WsClusterDefaults.rebalance(cr) == WsClusterSpec.Rebalance.Off) {
      return null;
    }
    Optional<WsClusterStatus> previous = Optional.ofNullable(cr.getStatus());
    Rebalancer.Progress progress = previous.map(WsClusterStatus::getRebalance).map(RebalanceStatus::progress)
        .orElse(null);
    Integer before = previous.map(WsClusterStatus::getShards).orElse(null);
    // From 0 shards (a new cluster, or one scaled to zero) there are no clients to move.
    if (before != null && before > 0 && replicas > before) {
      progress = Rebalancer.begin(now);
      events.normal(cr, "RebalanceWaiting", "shards " + before + " -> " + replicas + ": once the new shards are "
          + "Ready, shards above the mean shed clients to them");
    }
    if (progress == null) {
      return null;
    }
    Rebalancer.Round round = Rebalancer.step(WsClusterDefaults.rebalancePolicy(cr), progress,
        shardsOf(replicas, observed), busy, now);
    RebalanceStatus result = RebalanceStatus.of(round.progress());
    if (!round.shed().isEmpty()) {
      status.apply(cr, s -> s.setRebalance(result));
      List<Integer> unreached = new ArrayList<>();
      round.shed().forEach((index, count) -> {
        if (!shards.shed(cr, observed.endpoints().get(index), count)) {
          unreached.add(index);
        }
      });
      events.normal(cr, "Rebalancing", round.progress().message()
          + (unreached.isEmpty() ? "" : "; shard(s) " + unreached + " did not answer"));
    }
    if (round.progress().phase() != progress.phase()) {
      switch (round.progress().phase()) {
        case Balanced -> events.normal(cr, "Rebalanced", round.progress().message() + " after "
            + round.progress().rounds() + " round(s), " + round.progress().shed() + " clients moved");
        case GaveUp -> events.warning(cr, "RebalanceIncomplete", round.progress().message());
        default -> { }
      }
    }
    return result;
  }

  /** Shards 0..replicas-1; a shard is ready for this when its pod is Ready and it answered /stats not draining. */
  private static List<Rebalancer.Shard> shardsOf(int replicas, ShardsObserved observed) {
    Map<Integer, Boolean> podReady = observed.readiness();
    List<Rebalancer.Shard> out = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      Optional<ShardStats> stats = observed.stats().getOrDefault(i, Optional.empty());
      boolean ready = podReady.getOrDefault(i, false) && stats.map(s -> !s.draining()).orElse(false);
      out.add(new Rebalancer.Shard(i, stats.map(ShardStats::connections).orElse(0L), ready));
    }
    return out;
  }
}
