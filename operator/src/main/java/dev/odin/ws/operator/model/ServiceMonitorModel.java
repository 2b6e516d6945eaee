package dev.odin.ws.operator.model;

import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import java.util.List;

/**
 * A Prometheus Operator ServiceMonitor over the WsCluster's shard and balancer Services: the shards' management
 * port and Envoy's metrics listener. Prometheus Operator scrapes an endpoint only on Services that have a port of
 * that name, so the public Service (port {@code ws} only) is selected but never scraped.
 */
public final class ServiceMonitorModel {
  public static final String API_VERSION = "monitoring.coreos.com/v1";
  public static final String KIND = "ServiceMonitor";
  private static final String INTERVAL = "15s";

  private ServiceMonitorModel() {}

  public static ServiceMonitor desired(WsCluster cr) {
    ServiceMonitor sm = new ServiceMonitor();
    sm.setMetadata(Metadata.of(cr, WsClusterNames.serviceMonitor(cr), WsClusterLabels.SHARD));
    ServiceMonitor.Spec spec = new ServiceMonitor.Spec();
    spec.selector = new LabelSelectorBuilder()
        .withMatchLabels(WsClusterLabels.instanceSelector(cr))
        .withMatchExpressions(new LabelSelectorRequirementBuilder().withKey(WsClusterLabels.COMPONENT)
            .withOperator("In").withValues(WsClusterLabels.SHARD, WsClusterLabels.BALANCER).build())
        .build();
    spec.endpoints = List.of(
        new ServiceMonitor.Endpoint("management", "/metrics", INTERVAL),
        new ServiceMonitor.Endpoint(EnvoyModel.METRICS_PORT_NAME, "/stats/prometheus", INTERVAL));
    sm.setSpec(spec);
    return sm;
  }
}
