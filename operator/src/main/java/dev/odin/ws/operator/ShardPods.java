package dev.odin.ws.operator;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.ShardStatefulSetModel;
import dev.odin.ws.operator.model.WsClusterLabels;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The shard pods, watched (read-only) so that a pod turning ready or unready updates the status at once; the
 * pod's Ready condition is what status.shardStatuses[].ready shows.
 */
public final class ShardPods {
  private ShardPods() {}

  /** An informer over every shard pod this operator manages, mapped to its WsCluster by the instance label. */
  public static InformerEventSource<Pod, WsCluster> eventSource(EventSourceContext<WsCluster> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, WsCluster.class)
        .withName("shard-pods")
        .withNamespacesInheritedFromController()
        .withLabelSelector(WsClusterLabels.MANAGED + "," + WsClusterLabels.COMPONENT + "=" + WsClusterLabels.SHARD)
        .withSecondaryToPrimaryMapper(pod -> Optional.ofNullable(pod.getMetadata().getLabels())
            .map(l -> l.get(WsClusterLabels.INSTANCE))
            .map(name -> Set.of(new ResourceID(name, pod.getMetadata().getNamespace())))
            .orElse(Set.of()))
        .build(), context);
  }

  /** Each shard pod that exists, by shard index. */
  public static Map<Integer, Pod> byIndex(WsCluster cr, Context<WsCluster> context) {
    Map<Integer, Pod> out = new TreeMap<>();
    String prefix = cr.getMetadata().getName() + "-shard-";
    for (Pod pod : context.getSecondaryResources(Pod.class)) {
      String name = pod.getMetadata().getName();
      Map<String, String> labels = Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of());
      String index = labels.getOrDefault(ShardStatefulSetModel.POD_INDEX_LABEL,
          name.startsWith(prefix) ? name.substring(prefix.length()) : "");
      if (index.matches("\\d+")) {
        out.put(Integer.parseInt(index), pod);
      }
    }
    return out;
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
