package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.EnvoyModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The Envoy bootstrap. */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class EnvoyConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, WsCluster> {
  public EnvoyConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(WsCluster primary, Context<WsCluster> context) {
    return EnvoyModel.config(primary);
  }
}
