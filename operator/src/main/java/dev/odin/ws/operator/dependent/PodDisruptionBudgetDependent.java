package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.ShardServicesModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The shards' PodDisruptionBudget. */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class PodDisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, WsCluster> {
  public PodDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget desired(WsCluster primary, Context<WsCluster> context) {
    return ShardServicesModel.podDisruptionBudget(primary);
  }
}
