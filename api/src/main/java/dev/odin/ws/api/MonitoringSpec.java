package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Optional monitoring objects, created only when their CRDs or sidecars exist. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitoringSpec {
  @Default("false")
  @JsonPropertyDescription(
      "Create a ServiceMonitor for the shards' /metrics when the Prometheus Operator CRD exists.")
  private Boolean serviceMonitor;

  @Default("false")
  @JsonPropertyDescription(
      "Create Grafana dashboard ConfigMaps (label grafana_dashboard=1) for a dashboard sidecar.")
  private Boolean dashboards;

  public Boolean getServiceMonitor() {
    return serviceMonitor;
  }

  public void setServiceMonitor(Boolean serviceMonitor) {
    this.serviceMonitor = serviceMonitor;
  }

  public Boolean getDashboards() {
    return dashboards;
  }

  public void setDashboards(Boolean dashboards) {
    this.dashboards = dashboards;
  }
}
