package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.operator.DrainProgress;
import dev.odin.ws.operator.model.ShardStatefulSetModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The shards; replicas drop only after the shards that go have drained (see DrainProgress). */
@KubernetesDependent(informer = @Informer(labelSelector = WsClusterLabels.MANAGED))
public class ShardStatefulSetDependent extends RuntimeAwareDependent<StatefulSet> {
  public ShardStatefulSetDependent() {
    super(StatefulSet.class);
  }

  @Override
  protected StatefulSet desired(WsCluster primary, Context<WsCluster> context) {
    Integer current = context.getSecondaryResource(StatefulSet.class)
        .map(s -> s.getSpec().getReplicas()).orElse(null);
    int replicas = DrainProgress.replicasNow(primary, WsClusterDefaults.shards(primary), current);
    return ShardStatefulSetModel.desired(primary, runtime.config().shardImage(), replicas);
  }
}
