package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One shard as the operator last saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShardStatus {
  @JsonPropertyDescription("Shard index (the StatefulSet pod ordinal).")
  private Integer index;

  @JsonPropertyDescription("Pod name.")
  private String pod;

  @JsonPropertyDescription("This shard's Kafka consumer group.")
  private String consumerGroup;

  @JsonPropertyDescription("Open WebSocket connections, from the shard's /stats.")
  private Long connections;

  @JsonPropertyDescription("Whether the pod is ready.")
  private Boolean ready;

  @JsonPropertyDescription("Whether the shard is draining (closing its clients before removal).")
  private Boolean draining;

  @JsonPropertyDescription("Consumer lag in records; absent while unknown.")
  private Long lag;

  public Integer getIndex() {
    return index;
  }

  public void setIndex(Integer index) {
    this.index = index;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public String getConsumerGroup() {
    return consumerGroup;
  }

  public void setConsumerGroup(String consumerGroup) {
    this.consumerGroup = consumerGroup;
  }

  public Long getConnections() {
    return connections;
  }

  public void setConnections(Long connections) {
    this.connections = connections;
  }

  public Boolean getReady() {
    return ready;
  }

  public void setReady(Boolean ready) {
    this.ready = ready;
  }

  public Boolean getDraining() {
    return draining;
  }

  public void setDraining(Boolean draining) {
    this.draining = draining;
  }

  public Long getLag() {
    return lag;
  }

  public void setLag(Long lag) {
    this.lag = lag;
  }
}
