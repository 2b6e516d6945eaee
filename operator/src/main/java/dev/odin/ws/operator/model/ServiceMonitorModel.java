package dev.odin.ws.operator.model;

import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;

/** A Prometheus Operator ServiceMonitor over the shards' management port. */
public final class ServiceMonitorModel {
  public static final String API_VERSION = "monitoring.coreos.com/v1";
  public static final String KIND = "ServiceMonitor";

  private ServiceMonitorModel() {}

  public static ServiceMonitor desired(WsCluster cr) {
    ServiceMonitor sm = new ServiceMonitor();
    sm.setMetadata(Metadata.of(cr, WsClusterNames.serviceMonitor(cr), WsClusterLabels.SHARD));
    ServiceMonitor.Spec spec = new ServiceMonitor.Spec();
    spec.selector = new LabelSelectorBuilder()
        .withMatchLabels(WsClusterLabels.selector(cr, WsClusterLabels.SHARD)).build();
    spec.endpoints = List.of(new ServiceMonitor.Endpoint("management", "/metrics", "15s"));
    sm.setSpec(spec);
    return sm;
  }
}
