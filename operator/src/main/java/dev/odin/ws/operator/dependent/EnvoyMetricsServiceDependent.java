package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.EnvoyModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The Service over Envoy's metrics listener. Like the other Service dependents, JOSDK tells it apart from them by
 * the name of the desired object.
 */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class EnvoyMetricsServiceDependent extends CRUDKubernetesDependentResource<Service, WsCluster> {
  public EnvoyMetricsServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(WsCluster primary, Context<WsCluster> context) {
    return EnvoyModel.metricsService(primary);
  }
}
