package dev.odin.ws.operator;

import dev.odin.ws.api.AuthSpec;
import dev.odin.ws.api.AutoscalingStatus;
import dev.odin.ws.api.DrainStatus;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.ShardStatus;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterStatus;
import dev.odin.ws.operator.model.ShardServicesModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import dev.odin.ws.operator.model.WsClusterNames;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds a fresh status from what was observed; pure, so reconcile can compare it with the current one. */
public final class StatusBuilder {
  public static final String READY = "Ready";
  /** A tolerable but risky spec, as Strimzi reports one: type Warning, status True, a reason and a sentence. */
  public static final String WARNING = "Warning";
  public static final String AUTH_DISABLED = "AuthenticationDisabled";

  private StatusBuilder() {}

  /** What one reconcile observed. */
  public record Observed(
      Optional<StatefulSet> statefulSet,
      Map<Integer, Optional<ShardStats>> stats,
      Map<Integer, Boolean> podReady,
      DrainStatus drain,
      List<String> consumerGroupsToDelete,
      AutoscalingStatus autoscaling) {
    Set<Integer> draining() {
      return drain == null ? Set.of() : DrainProgress.asked(drain);
    }
  }

  public static WsClusterStatus build(WsCluster cr, Observed o, Instant now) {
    WsClusterStatus s = new WsClusterStatus();
    s.setObservedGeneration(cr.getMetadata().getGeneration());
    s.setSelector(WsClusterLabels.shardSelectorString(cr));
    s.setEndpoint(ShardServicesModel.endpoint(cr));
    int replicas = o.statefulSet().map(x -> x.getSpec().getReplicas()).orElse(0);
    int ready = o.statefulSet().map(x -> x.getStatus() == null || x.getStatus().getReadyReplicas() == null
        ? 0 : x.getStatus().getReadyReplicas()).orElse(0);
    s.setShards(replicas);
    s.setReadyShards(ready);
    List<ShardStatus> shards = new ArrayList<>();
    long connections = 0;
    for (int i = 0; i < replicas; i++) {
      Optional<ShardStats> stats = o.stats().getOrDefault(i, Optional.empty());
      ShardStatus shard = new ShardStatus();
      shard.setIndex(i);
      shard.setPod(WsClusterNames.shardPod(cr, i));
      shard.setConsumerGroup(WsClusterDefaults.consumerGroup(cr, i));
      shard.setConnections(stats.map(ShardStats::connections).orElse(0L));
      // The pod's Ready condition when the pod is known, else what the shard itself says.
      shard.setReady(o.podReady().getOrDefault(i, stats.map(ShardStats::ready).orElse(false)));
      shard.setDraining(o.draining().contains(i) || stats.map(ShardStats::draining).orElse(false));
      shard.setLag(stats.map(ShardStats::lag).orElse(null));
      connections += shard.getConnections();
      shards.add(shard);
    }
    s.setShardStatuses(shards);
    s.setConnections(connections);
    s.setAutoscaling(o.autoscaling());
    s.setDrain(o.drain());
    s.setConsumerGroupsToDelete(o.consumerGroupsToDelete());
    List<Condition> conditions = new ArrayList<>();
    conditions.add(ready(cr, o, ready, now));
    if (WsClusterDefaults.authMode(cr) == AuthSpec.Mode.None) {
      conditions.add(warning(cr, AUTH_DISABLED, "spec.auth.mode is None: any client that reaches the endpoint may "
          + "subscribe to any channel. Use it for local demos only; set spec.auth with mode JWT.", now));
    }
    s.setConditions(conditions);
    return s;
  }

  /** A Warning condition; lastTransitionTime is kept while the same warning stands. */
  static Condition warning(WsCluster cr, String reason, String message, Instant now) {
    String since = Optional.ofNullable(cr.getStatus()).map(WsClusterStatus::getConditions).orElse(List.of())
        .stream()
        .filter(c -> WARNING.equals(c.getType()) && reason.equals(c.getReason()))
        .map(Condition::getLastTransitionTime)
        .findFirst()
        .orElse(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(WARNING)
        .withStatus("True")
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(since)
        .withObservedGeneration(cr.getMetadata().getGeneration())
        .build();
  }

  private static Condition ready(WsCluster cr, Observed o, int ready, Instant now) {
    int desired = WsClusterDefaults.shards(cr);
    String message = ready + "/" + desired + " shards ready";
    if (!o.draining().isEmpty()) {
      message += "; draining shards " + o.draining() + " before scale-down";
    }
    if (o.statefulSet().isEmpty()) {
      return condition(cr, "False", "Creating", "shard StatefulSet not created yet", now);
    }
    boolean ok = ready >= desired;
    return condition(cr, ok ? "True" : "False", ok ? "AllShardsReady" : "ShardsNotReady", message, now);
  }

  /** A Ready condition; lastTransitionTime is kept from the current one unless the status flips. */
  public static Condition condition(WsCluster cr, String status, String reason, String message, Instant now) {
    String since = Optional.ofNullable(cr.getStatus()).map(WsClusterStatus::getConditions).orElse(List.of())
        .stream()
        .filter(c -> READY.equals(c.getType()) && status.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .findFirst()
        .orElse(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(READY)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(since)
        .withObservedGeneration(cr.getMetadata().getGeneration())
        .build();
  }
}
