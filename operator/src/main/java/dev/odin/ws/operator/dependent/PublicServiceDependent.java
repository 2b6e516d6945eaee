package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.ShardServicesModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The public entry point (Envoy or plain). */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class PublicServiceDependent extends CRUDKubernetesDependentResource<Service, WsCluster> {
  public PublicServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(WsCluster primary, Context<WsCluster> context) {
    return ShardServicesModel.publicService(primary);
  }
}
