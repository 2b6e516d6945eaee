package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.EnvoyModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The Envoy Deployment. */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class EnvoyDeploymentDependent extends RuntimeAwareDependent<Deployment> {
  public EnvoyDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(WsCluster primary, Context<WsCluster> context) {
    return EnvoyModel.deployment(primary, runtime.config().envoyImage());
  }
}
