package dev.odin.ws.operator.model;

import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.List;
import java.util.Map;

/** A Prometheus Operator ServiceMonitor over the shards' management port (kept generic: no CRD model needed). */
public final class ServiceMonitorModel {
  public static final String API_VERSION = "monitoring.coreos.com/v1";
  public static final String KIND = "ServiceMonitor";

  private ServiceMonitorModel() {}

  public static GenericKubernetesResource desired(WsCluster cr) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(KIND)
        .withMetadata(Metadata.of(cr, WsClusterNames.serviceMonitor(cr), WsClusterLabels.SHARD))
        .addToAdditionalProperties("spec", Map.of(
            "selector", Map.of("matchLabels", WsClusterLabels.selector(cr, WsClusterLabels.SHARD)),
            "endpoints", List.of(Map.of("port", "management", "path", "/metrics", "interval", "15s"))))
        .build();
  }
}
