package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.ShardConfigModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The shards' common environment. */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class ShardConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, WsCluster> {
  public ShardConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(WsCluster primary, Context<WsCluster> context) {
    return ShardConfigModel.desired(primary);
  }
}
