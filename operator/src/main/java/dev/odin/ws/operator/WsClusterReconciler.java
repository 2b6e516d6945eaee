package dev.odin.ws.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.ws.api.AutoscalingStatus;
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
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
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

/** Status, draining, consumer-group cleanup and autoscaling; the objects themselves come from the workflow. */
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
  private final ShardStatsReader shards;
  private final ScaleDownCoordinator scaleDowns;
  private final AutoscalingStep autoscaling;
  private final ClusterGauges gauges;
  private final ScaleDownTracker tracker;
  private final ConsumerGroupCleaner groups;

  public WsClusterReconciler(OperatorConfig config, ShardStatsReader shards, ScaleDownCoordinator scaleDowns,
      AutoscalingStep autoscaling, ClusterGauges gauges, ScaleDownTracker tracker, ConsumerGroupCleaner groups) {
    this.config = config;
    this.shards = shards;
    this.scaleDowns = scaleDowns;
    this.autoscaling = autoscaling;
    this.gauges = gauges;
    this.tracker = tracker;
    this.groups = groups;
  }

  @Override
  public UpdateControl<WsCluster> reconcile(WsCluster cr, Context<WsCluster> context) throws Exception {
    Instant now = Instant.now();
    Optional<StatefulSet> sts = context.getSecondaryResource(StatefulSet.class);
    int replicas = sts.map(s -> s.getSpec().getReplicas()).orElse(0);
    Map<Integer, Optional<ShardStats>> stats = shards.read(cr, replicas);
    ScaleDownCoordinator.Step step = sts.isPresent()
        ? scaleDowns.step(cr, sts.get(), stats, now) : ScaleDownCoordinator.Step.IDLE;
    long connections = stats.values().stream().flatMap(Optional::stream).mapToLong(ShardStats::connections).sum();
    AutoscalingStatus scaling = autoscaling.step(cr, connections, replicas, step.active(), now);
    WsClusterStatus status = StatusBuilder.build(cr,
        new StatusBuilder.Observed(sts, stats, ShardPods.readiness(cr, context), step.draining(), scaling), now);
    gauges.update(cr, WsClusterDefaults.shards(cr), status.getReadyShards(),
        scaling == null ? -1 : scaling.getRecommendedShards());
    UpdateControl<WsCluster> control = UpdateControl.noUpdate();
    if (!unchanged(cr.getStatus(), status)) {
      control = UpdateControl.patchStatus(fresh(cr, status));
    }
    return control.rescheduleAfter(step.active() ? SCALING_POLL : config.statsInterval());
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
    WsClusterStatus status = Optional.ofNullable(cr.getStatus()).orElseGet(WsClusterStatus::new);
    String message = Optional.ofNullable(cause.getMessage()).orElse(cause.toString());
    status.setConditions(List.of(
        StatusBuilder.condition(cr, "False", cause.getClass().getSimpleName(), message, Instant.now())));
    return ErrorStatusUpdateControl.patchStatus(fresh(cr, status));
  }

  @Override
  public DeleteControl cleanup(WsCluster cr, Context<WsCluster> context) {
    ResourceID id = ResourceID.fromResource(cr);
    gauges.remove(id);
    tracker.finish(id);
    groups.forget(id);
    return DeleteControl.defaultDelete();
  }

  private static boolean unchanged(WsClusterStatus current, WsClusterStatus fresh) {
    return current != null && JSON.valueToTree(current).equals(JSON.valueToTree(fresh));
  }

  /** A name+namespace+status object, so the status patch carries nothing else. */
  private static WsCluster fresh(WsCluster cr, WsClusterStatus status) {
    WsCluster out = new WsCluster();
    out.setMetadata(new ObjectMetaBuilder()
        .withName(cr.getMetadata().getName())
        .withNamespace(cr.getMetadata().getNamespace())
        .build());
    out.setStatus(status);
    return out;
  }
}
