package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.NetworkPolicyModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The NetworkPolicy around the shards, unless spec.networkPolicy.enabled is false (see Conditions). */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class NetworkPolicyDependent extends RuntimeAwareDependent<NetworkPolicy> {
  public NetworkPolicyDependent() {
    super(NetworkPolicy.class);
  }

  @Override
  protected NetworkPolicy desired(WsCluster primary, Context<WsCluster> context) {
    return NetworkPolicyModel.desired(primary, runtime.config().operatorNamespace());
  }
}
