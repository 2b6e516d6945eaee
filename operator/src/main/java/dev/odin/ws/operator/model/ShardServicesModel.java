package dev.odin.ws.operator.model;

import dev.odin.ws.api.BalancerSpec;
import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/** The shards' headless Service, the public Service and the shards' PodDisruptionBudget. */
public final class ShardServicesModel {
  private ShardServicesModel() {}

  /**
   * Headless, publishing not-ready pods too: every shard keeps a DNS name for the operator's /stats and /drain
   * calls, and Envoy's own health checks (not DNS) decide who gets traffic.
   */
  public static Service headless(WsCluster cr) {
    return new ServiceBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.headlessService(cr), WsClusterLabels.SHARD))
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(WsClusterLabels.selector(cr, WsClusterLabels.SHARD))
        .addNewPort().withName("ws").withPort(ShardEnv.WS_PORT).withTargetPort(new IntOrString("ws")).endPort()
        .addNewPort().withName("management").withPort(ShardEnv.ADMIN_PORT)
        .withTargetPort(new IntOrString("management")).endPort()
        .endSpec()
        .build();
  }

  /** The entry point: Envoy's pods for balancer.type=Envoy, else straight to the shards (no least-connections). */
  public static Service publicService(WsCluster cr) {
    boolean envoy = WsClusterDefaults.balancerType(cr) == BalancerSpec.Type.Envoy;
    String component = envoy ? WsClusterLabels.BALANCER : WsClusterLabels.SHARD;
    return new ServiceBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.publicService(cr), WsClusterLabels.BALANCER))
        .withNewSpec()
        .withType(WsClusterDefaults.balancerServiceType(cr).name())
        .withSelector(WsClusterLabels.selector(cr, component))
        .addNewPort()
        .withName("ws")
        .withPort(WsClusterDefaults.balancerPort(cr))
        .withTargetPort(new IntOrString(envoy ? EnvoyModel.LISTENER_PORT : ShardEnv.WS_PORT))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }

  /** At most one shard down at a time through voluntary disruptions (node drains). */
  public static PodDisruptionBudget podDisruptionBudget(WsCluster cr) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.podDisruptionBudget(cr), WsClusterLabels.SHARD))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector().withMatchLabels(WsClusterLabels.selector(cr, WsClusterLabels.SHARD)).endSelector()
        .endSpec()
        .build();
  }

  /** {@code ws://<public service>.<ns>.svc:<port>/ws}. */
  public static String endpoint(WsCluster cr) {
    return "ws://" + WsClusterNames.publicService(cr) + "." + cr.getMetadata().getNamespace() + ".svc:"
        + WsClusterDefaults.balancerPort(cr) + "/ws";
  }
}
