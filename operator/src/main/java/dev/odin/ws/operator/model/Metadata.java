package dev.odin.ws.operator.model;

import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Object metadata every model uses: name, namespace, labels and the controller owner reference. */
public final class Metadata {
  private Metadata() {}

  public static ObjectMeta of(WsCluster cr, String name, String component) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(cr.getMetadata().getNamespace())
        .withLabels(WsClusterLabels.labels(cr, component))
        .withOwnerReferences(owner(cr))
        .build();
  }

  public static OwnerReference owner(WsCluster cr) {
    return new OwnerReferenceBuilder()
        .withApiVersion(WsCluster.API_VERSION)
        .withKind(WsCluster.KIND)
        .withName(cr.getMetadata().getName())
        .withUid(cr.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
