package dev.odin.ws.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.ws.api.Autoscaler;
import dev.odin.ws.api.AutoscalingStatus;
import dev.odin.ws.api.RebalanceStatus;
import dev.odin.ws.api.Rebalancer;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterStatus;
import dev.odin.ws.operator.dependent.Conditions;
import dev.odin.ws.operator.dependent.EnvoyConfigMapDependent;
import dev.odin.ws.operator.dependent.EnvoyDeploymentDependent;
import dev.odin.ws.operator.dependent.EnvoyMetricsServiceDependent;
import dev.odin.ws.operator.dependent.HeadlessServiceDependent;
import dev.odin.ws.operator.dependent.ManagementTokenSecretDependent;
import dev.odin.ws.operator.dependent.NetworkPolicyDependent;
import dev.odin.ws.operator.dependent.PodDisruptionBudgetDependent;
import dev.odin.ws.operator.dependent.PublicServiceDependent;
import dev.odin.ws.operator.dependent.ServiceMonitorDependent;
import dev.odin.ws.operator.dependent.ShardConfigMapDependent;
import dev.odin.ws.operator.dependent.ShardStatefulSetDependent;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Status, draining, consumer-group cleanup, autoscaling and rebalancing; the objects themselves come from the
 * workflow.
 */
@ControllerConfiguration(name = WsClusterReconciler.NAME)
@Workflow(dependents = {
  @Dependent(name = "shard-config", type = ShardConfigMapDependent.class),
  @Dependent(name = "management-token", type = ManagementTokenSecretDependent.class),
  @Dependent(name = "shard-statefulset", type = ShardStatefulSetDependent.class,
      dependsOn = {"shard-config", "management-token"}, readyPostcondition = Conditions.ShardsServing.class),
  @Dependent(name = "network-policy", type = NetworkPolicyDependent.class,
      reconcilePrecondition = Conditions.NetworkPolicyEnabled.class),
  @Dependent(name = "shard-headless-service", type = HeadlessServiceDependent.class),
  @Dependent(name = "shard-pdb", type = PodDisruptionBudgetDependent.class),
  @Dependent(name = "public-service", type = PublicServiceDependent.class),
  @Dependent(name = "envoy-config", type = EnvoyConfigMapDependent.class, dependsOn = "shard-statefulset",
      reconcilePrecondition = Conditions.EnvoyEnabled.class),
  @Dependent(name = "envoy-deployment", type = EnvoyDeploymentDependent.class, dependsOn = "envoy-config",
      reconcilePrecondition = Conditions.EnvoyEnabled.class),
  @Dependent(name = "envoy-metrics-service", type = EnvoyMetricsServiceDependent.class,
      reconcilePrecondition = Conditions.EnvoyEnabled.class),
  @Dependent(name = "service-monitor", type = ServiceMonitorDependent.class,
      activationCondition = Conditions.ServiceMonitorCrdPresent.class,
      reconcilePrecondition = Conditions.ServiceMonitorEnabled.class)
})
public class WsClusterReconciler implements Reconciler<WsCluster>, Cleaner<WsCluster> {
  public static final String NAME = "wscluster";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SCALING_POLL = Duration.ofSeconds(1);

  private final OperatorConfig config;
  private final ShardUriResolver resolver;
  private final ShardStatsReader shards;
  private final ScaleDownCoordinator scaleDowns;
  private final ClusterRetirement retirement;
  private final AutoscalingStep autoscaling;
  private final RebalanceStep rebalancing;
  private final ClusterGauges gauges;
  private final StatusApplier statusApplier;

  public WsClusterReconciler(OperatorConfig config, ShardUriResolver resolver, ShardStatsReader shards,
      ScaleDownCoordinator scaleDowns, ClusterRetirement retirement, AutoscalingStep autoscaling,
      RebalanceStep rebalancing, ClusterGauges gauges, StatusApplier statusApplier) {
    this.config = config;
    this.resolver = resolver;
    this.shards = shards;
    this.scaleDowns = scaleDowns;
    this.retirement = retirement;
    this.autoscaling = autoscaling;
    this.rebalancing = rebalancing;
    this.gauges = gauges;
    this.statusApplier = statusApplier;
  }

  @Override
  public UpdateControl<WsCluster> reconcile(WsCluster cr, Context<WsCluster> context) throws Exception {
    Instant now = Instant.now();
    Optional<StatefulSet> sts = context.getSecondaryResource(StatefulSet.class);
    int replicas = sts.map(s -> s.getSpec().getReplicas()).orElse(0);
    ShardsObserved observed = ShardsObserved.observe(cr, replicas, context, resolver, shards);
    ScaleDownCoordinator.Step step = sts.isPresent()
        ? scaleDowns.step(cr, replicas, observed, now) : new ScaleDownCoordinator.Step(null, null, false);
    Map<Integer, Optional<ShardStats>> stats = observed.statsBelow(replicas);
    String busy = busy(cr, replicas, step);
    AutoscalingStatus scaling = autoscaling.step(cr,
        Autoscaler.Load.of(stats.values().stream().flatMap(Optional::stream).toList()), busy, now);
    RebalanceStatus rebalance = rebalancing.step(cr, replicas, observed, busy, now);
    WsClusterStatus status = StatusBuilder.build(cr, new StatusBuilder.Observed(sts, stats, observed.readiness(),
        step.drain(), step.consumerGroupsToDelete(), scaling), now);
    status.setRebalance(rebalance);
    gauges.update(cr, WsClusterDefaults.shards(cr), status.getReadyShards(),
        scaling == null ? -1 : scaling.getRecommendedShards());
    UpdateControl<WsCluster> control = UpdateControl.noUpdate();
    if (!unchanged(cr.getStatus(), status)) {
      control = UpdateControl.patchStatus(StatusApplier.statusOnly(cr, status));
    }
    // Rounds are paced in seconds; a rebalance waiting for Ready pods is woken by the pod informer instead.
    boolean moving = step.active() || rebalance != null && rebalance.getPhase() == Rebalancer.Phase.Shedding;
    return control.rescheduleAfter(moving ? SCALING_POLL : config.statsInterval());
  }

  /** Why the shard count and the clients must stay as they are this moment, or null. */
  private static String busy(WsCluster cr, int replicas, ScaleDownCoordinator.Step step) {
    if (step.drain() != null) {
      return "a scale-down's drain is in progress (shards " + step.draining() + ")";
    }
    int desired = WsClusterDefaults.shards(cr);
    if (desired != replicas) {
      return "the StatefulSet is at " + replicas + " replicas, not yet " + desired;
    }
    if (step.consumerGroupsToDelete() != null) {
      return "consumer groups of removed shards are being deleted";
    }
    return null;
  }

  @Override
  public List<EventSource<?, WsCluster>> prepareEventSources(EventSourceContext<WsCluster> context) {
    return List.of(ShardPods.eventSource(context));
  }

  @Override
  public ErrorStatusUpdateControl<WsCluster> updateErrorStatus(WsCluster cr, Context<WsCluster> context, Exception e) {
    Throwable cause = e;
    while (cause instanceof io.javaoperatorsdk.operator.OperatorException && cause.getCause() != null) {
      cause = cause.getCause(); // JOSDK's wrapper (metrics, workflow) hides the real reason
    }
    // Built on the latest status, not this reconcile's input: applying an older one would drop a drain or consumer
    // groups that this reconcile recorded before it failed.
    WsClusterStatus status = StatusApplier.copy(statusApplier.latest(cr).getStatus());
    String message = Optional.ofNullable(cause.getMessage()).orElse(cause.toString());
    status.setConditions(List.of(
        StatusBuilder.condition(cr, "False", cause.getClass().getSimpleName(), message, Instant.now())));
    return ErrorStatusUpdateControl.patchStatus(StatusApplier.statusOnly(cr, status));
  }

  /** Clients told the cluster goes away, shards stopped, consumer groups deleted; then the children are collected. */
  @Override
  public DeleteControl cleanup(WsCluster cr, Context<WsCluster> context) throws Exception {
    Optional<StatefulSet> sts = context.getSecondaryResource(StatefulSet.class);
    int replicas = sts.map(s -> s.getSpec().getReplicas()).orElse(0);
    DeleteControl control = retirement.step(cr, sts,
        ShardsObserved.observe(cr, replicas, context, resolver, shards), Instant.now());
    if (control.isRemoveFinalizer()) {
      gauges.remove(ResourceID.fromResource(cr));
    }
    return control;
  }

  private static boolean unchanged(WsClusterStatus current, WsClusterStatus fresh) {
    return current != null && JSON.valueToTree(current).equals(JSON.valueToTree(fresh));
  }
}
