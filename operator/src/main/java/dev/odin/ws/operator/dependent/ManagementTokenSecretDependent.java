package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.ManagementTokenModel;
import dev.odin.ws.operator.model.WsClusterNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.NameSetter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import java.util.Optional;

/**
 * The management-token Secret: created when missing, never updated (its token is random, so a desired state that
 * differs at every reconcile must not be applied over the one the shards hold), deleted with its WsCluster through its
 * owner reference. Read and created by name, with no informer: an informer would need {@code list} and {@code watch}
 * on Secrets, which would let the operator read every Secret of the namespaces it watches; {@code get} and
 * {@code create} are all this needs.
 */
public class ManagementTokenSecretDependent implements DependentResource<Secret, WsCluster>, NameSetter {
  private String name = DependentResource.defaultNameFor(ManagementTokenSecretDependent.class);

  @Override
  public void setName(String name) {
    this.name = name; // the workflow's @Dependent name, which dependsOn refers to
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ReconcileResult<Secret> reconcile(WsCluster primary, Context<WsCluster> context) {
    Optional<Secret> existing = getSecondaryResource(primary, context);
    if (existing.isPresent()) {
      return ReconcileResult.noOperation(existing.get());
    }
    try {
      return ReconcileResult.resourceCreated(context.getClient()
          .resource(ManagementTokenModel.desired(primary, ManagementTokenModel.newToken())).create());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) { // created meanwhile (another reconcile, another replica): keep that one
        return ReconcileResult.noOperation(getSecondaryResource(primary, context).orElseThrow(() -> e));
      }
      throw e;
    }
  }

  @Override
  public Class<Secret> resourceType() {
    return Secret.class;
  }

  @Override
  public Optional<Secret> getSecondaryResource(WsCluster primary, Context<WsCluster> context) {
    return Optional.ofNullable(secret(primary, context).get());
  }

  private static Resource<Secret> secret(WsCluster primary, Context<WsCluster> context) {
    return context.getClient().secrets().inNamespace(primary.getMetadata().getNamespace())
        .withName(WsClusterNames.managementToken(primary));
  }
}
