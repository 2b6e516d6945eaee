package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.ManagementTokenModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;

/**
 * The management-token Secret: created when missing, never updated (its token is random, so a desired state that
 * differs at every reconcile must not be applied over the one the shards hold), deleted with its WsCluster.
 */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class ManagementTokenSecretDependent extends KubernetesDependentResource<Secret, WsCluster>
    implements Creator<Secret, WsCluster>, GarbageCollected<WsCluster> {
  public ManagementTokenSecretDependent() {
    super(Secret.class);
  }

  @Override
  protected Secret desired(WsCluster primary, Context<WsCluster> context) {
    return ManagementTokenModel.desired(primary, ManagementTokenModel.newToken());
  }
}
