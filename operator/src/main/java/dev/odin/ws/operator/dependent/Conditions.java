package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.BalancerSpec;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.operator.model.ServiceMonitorModel;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.time.Duration;
import java.time.Instant;

/** The workflow's conditions: which dependents apply to a WsCluster, and when Envoy may follow the shards. */
public final class Conditions {
  private Conditions() {}

  /** balancer.type=Envoy (otherwise the Envoy objects are deleted). */
  public static class EnvoyEnabled implements Condition<Object, WsCluster> {
    @Override
    public boolean isMet(DependentResource<Object, WsCluster> d, WsCluster primary, Context<WsCluster> context) {
      return WsClusterDefaults.balancerType(primary) == BalancerSpec.Type.Envoy;
    }
  }

  /** Envoy waits until at least one shard is ready (or none is asked for): it has nothing to balance before. */
  public static class ShardsServing implements Condition<StatefulSet, WsCluster> {
    @Override
    public boolean isMet(DependentResource<StatefulSet, WsCluster> d, WsCluster primary, Context<WsCluster> context) {
      return d.getSecondaryResource(primary, context)
          .map(s -> s.getSpec().getReplicas() == 0
              || (s.getStatus() != null && s.getStatus().getReadyReplicas() != null
                  && s.getStatus().getReadyReplicas() > 0))
          .orElse(false);
    }
  }

  /** spec.networkPolicy.enabled is not false (otherwise the NetworkPolicy is deleted). */
  public static class NetworkPolicyEnabled implements Condition<Object, WsCluster> {
    @Override
    public boolean isMet(DependentResource<Object, WsCluster> d, WsCluster primary, Context<WsCluster> context) {
      return WsClusterDefaults.networkPolicy(primary);
    }
  }

  /** monitoring.serviceMonitor is true. */
  public static class ServiceMonitorEnabled implements Condition<Object, WsCluster> {
    @Override
    public boolean isMet(DependentResource<Object, WsCluster> d, WsCluster primary, Context<WsCluster> context) {
      return WsClusterDefaults.serviceMonitor(primary);
    }
  }

  /**
   * monitoring.serviceMonitor is asked for and the ServiceMonitor CRD is served (API discovery, re-checked every 5
   * minutes): otherwise the ServiceMonitor dependent and its informer are not even registered.
   */
  public static class ServiceMonitorCrdPresent implements Condition<Object, WsCluster> {
    private static final Duration RECHECK = Duration.ofMinutes(5);
    private volatile Boolean present;
    private volatile Instant checkedAt = Instant.EPOCH;

    @Override
    public boolean isMet(DependentResource<Object, WsCluster> d, WsCluster primary, Context<WsCluster> context) {
      if (!WsClusterDefaults.serviceMonitor(primary)) {
        return false; // nobody asked: do not even register the informer
      }
      if (present == null || Instant.now().isAfter(checkedAt.plus(RECHECK))) {
        present = served(context.getClient());
        checkedAt = Instant.now();
      }
      return present;
    }

    private static boolean served(KubernetesClient client) {
      try {
        APIResourceList list = client.getApiResources(ServiceMonitorModel.API_VERSION);
        return list != null && list.getResources().stream()
            .anyMatch(r -> ServiceMonitorModel.KIND.equals(r.getKind()));
      } catch (RuntimeException e) {
        return false;
      }
    }
  }
}
