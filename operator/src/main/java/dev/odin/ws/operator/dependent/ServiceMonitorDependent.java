package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.ServiceMonitorModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;

/** The shards' ServiceMonitor, only where the Prometheus Operator CRD exists (see Conditions). */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class ServiceMonitorDependent extends GenericKubernetesDependentResource<WsCluster>
    implements Creator<GenericKubernetesResource, WsCluster>, Updater<GenericKubernetesResource, WsCluster>,
        GarbageCollected<WsCluster> {
  public ServiceMonitorDependent() {
    super(new GroupVersionKind(ServiceMonitorModel.API_VERSION, ServiceMonitorModel.KIND));
  }

  @Override
  protected GenericKubernetesResource desired(WsCluster primary, Context<WsCluster> context) {
    return ServiceMonitorModel.desired(primary);
  }
}
