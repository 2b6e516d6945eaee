package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** The NetworkPolicy the operator renders around the shards. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {
  @Default("true")
  @JsonPropertyDescription(
      "Render a NetworkPolicy for the shard pods: the WebSocket port from the balancer's pods (from anywhere with "
          + "balancer.type Service), the management port from the operator's namespace, the balancer (health "
          + "checks) and `monitoringNamespace`; nothing else. Enforced only by a CNI that implements NetworkPolicy.")
  private Boolean enabled;

  @JsonPropertyDescription("Namespace whose pods (Prometheus) may scrape the shards' management port; unset: none.")
  private String monitoringNamespace;

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public String getMonitoringNamespace() { return monitoringNamespace; }
  public void setMonitoringNamespace(String monitoringNamespace) { this.monitoringNamespace = monitoringNamespace; }
}
