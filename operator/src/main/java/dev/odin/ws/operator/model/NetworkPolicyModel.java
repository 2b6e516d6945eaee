package dev.odin.ws.operator.model;

import dev.odin.ws.api.BalancerSpec;
import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The NetworkPolicy around the shard pods: the WebSocket port only from the balancer's pods (from anywhere when
 * balancer.type is Service, whose clients come straight in), the management port only from the operator's namespace
 * (stats, drain), the balancer's pods (Envoy's health checks on /readyz) and the monitoring namespace (Prometheus);
 * nothing else. Egress is left open: the shards reach Kafka, wherever it runs.
 */
public final class NetworkPolicyModel {
  /** The label every namespace carries with its own name (Kubernetes 1.21+). */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private NetworkPolicyModel() {}

  /** {@code operatorNamespace}: empty when the operator does not know it (run outside a pod). */
  public static NetworkPolicy desired(WsCluster cr, Optional<String> operatorNamespace) {
    boolean envoy = WsClusterDefaults.balancerType(cr) == BalancerSpec.Type.Envoy;
    NetworkPolicyPeer balancer = new NetworkPolicyPeerBuilder()
        .withPodSelector(new LabelSelectorBuilder()
            .withMatchLabels(WsClusterLabels.selector(cr, WsClusterLabels.BALANCER)).build())
        .build();
    List<NetworkPolicyPeer> websocketFrom = envoy ? List.of(balancer) : List.of();
    List<NetworkPolicyPeer> managementFrom = new ArrayList<>();
    operatorNamespace.ifPresent(ns -> managementFrom.add(namespace(ns)));
    WsClusterDefaults.monitoringNamespace(cr).ifPresent(ns -> managementFrom.add(namespace(ns)));
    if (envoy) {
      managementFrom.add(balancer);
    }
    List<NetworkPolicyIngressRule> rules = new ArrayList<>();
    rules.add(rule(ShardEnv.WS_PORT, websocketFrom));
    if (!managementFrom.isEmpty()) {
      rules.add(rule(ShardEnv.ADMIN_PORT, managementFrom)); // without peers the port stays closed to all
    }
    return new NetworkPolicyBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.networkPolicy(cr), WsClusterLabels.SHARD))
        .withNewSpec()
        .withNewPodSelector().withMatchLabels(WsClusterLabels.selector(cr, WsClusterLabels.SHARD)).endPodSelector()
        .withPolicyTypes("Ingress")
        .withIngress(rules)
        .endSpec()
        .build();
  }

  /** One port, from {@code from}; an empty {@code from} admits every source. */
  private static NetworkPolicyIngressRule rule(int port, List<NetworkPolicyPeer> from) {
    NetworkPolicyIngressRuleBuilder rule = new NetworkPolicyIngressRuleBuilder()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString(port)).endPort();
    if (!from.isEmpty()) {
      rule.withFrom(from);
    }
    return rule.build();
  }

  private static NetworkPolicyPeer namespace(String name) {
    return new NetworkPolicyPeerBuilder()
        .withNamespaceSelector(new LabelSelectorBuilder().withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, name)).build())
        .build();
  }
}
