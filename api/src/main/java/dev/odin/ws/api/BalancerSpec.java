package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The public entry point: Envoy with least-connections, or a plain Service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BalancerSpec {
  /** Balancer implementation. */
  public enum Type {
    Envoy,
    Service
  }

  /** Kubernetes Service type of the public entry point. */
  public enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer
  }

  @Default("Envoy")
  @JsonPropertyDescription(
      "`Envoy`: least-connections over the shards with health checks on /readyz. `Service`: a plain "
          + "Service with kube-proxy's connection spreading, no least-connections.")
  private Type type;

  @Min(0)
  @Default("2")
  @JsonPropertyDescription("Envoy replicas (ignored for type Service).")
  private Integer replicas;

  @Default("ClusterIP")
  @JsonPropertyDescription("Service type of the public entry point.")
  private ServiceType serviceType;

  @Min(1)
  @Max(65535)
  @Default("80")
  @JsonPropertyDescription("Port of the public entry point; WebSocket path /ws.")
  private Integer port;

  public Type getType() {
    return type;
  }

  public void setType(Type type) {
    this.type = type;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public ServiceType getServiceType() {
    return serviceType;
  }

  public void setServiceType(ServiceType serviceType) {
    this.serviceType = serviceType;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }
}
