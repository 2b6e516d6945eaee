package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.ServiceMonitor;
import dev.odin.ws.operator.model.ServiceMonitorModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The ServiceMonitor of the shards and Envoy, only where it is asked for and its CRD exists (see Conditions). */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class ServiceMonitorDependent extends CRUDKubernetesDependentResource<ServiceMonitor, WsCluster> {
  public ServiceMonitorDependent() {
    super(ServiceMonitor.class);
  }

  @Override
  protected ServiceMonitor desired(WsCluster primary, Context<WsCluster> context) {
    return ServiceMonitorModel.desired(primary);
  }
}
