package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed: shard counts, connections, per-shard stats, autoscaling, conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WsClusterStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @StatusReplicas
  @JsonPropertyDescription("Shard pods that exist (the scale subresource's status replicas).")
  private Integer shards;

  @JsonPropertyDescription("Shard pods that are ready.")
  private Integer readyShards;

  @LabelSelector
  @JsonPropertyDescription("Label selector of the shard pods (the scale subresource's selector).")
  private String selector;

  @JsonPropertyDescription("Open WebSocket connections over all ready shards.")
  private Long connections;

  @JsonPropertyDescription("In-cluster WebSocket URL of the public entry point.")
  private String endpoint;

  @JsonPropertyDescription("One entry per shard pod.")
  private List<ShardStatus> shardStatuses = new ArrayList<>();

  @JsonPropertyDescription("The autoscaler's latest recommendation.")
  private AutoscalingStatus autoscaling;

  @JsonPropertyDescription("The last rebalance after a scale-up: phase, imbalance and progress.")
  private RebalanceStatus rebalance;

  @JsonPropertyDescription("The drain in progress (scale-down or deletion); absent when none is.")
  private DrainStatus drain;

  @JsonPropertyDescription("Kafka consumer groups of removed shards that the operator still has to delete.")
  private List<String> consumerGroupsToDelete;

  @JsonPropertyDescription("Standard conditions; `Ready` at least.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Integer getShards() {
    return shards;
  }

  public void setShards(Integer shards) {
    this.shards = shards;
  }

  public Integer getReadyShards() {
    return readyShards;
  }

  public void setReadyShards(Integer readyShards) {
    this.readyShards = readyShards;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public Long getConnections() {
    return connections;
  }

  public void setConnections(Long connections) {
    this.connections = connections;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public List<ShardStatus> getShardStatuses() {
    return shardStatuses;
  }

  public void setShardStatuses(List<ShardStatus> shardStatuses) {
    this.shardStatuses = shardStatuses;
  }

  public AutoscalingStatus getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(AutoscalingStatus autoscaling) {
    this.autoscaling = autoscaling;
  }

  public RebalanceStatus getRebalance() {
    return rebalance;
  }

  public void setRebalance(RebalanceStatus rebalance) {
    this.rebalance = rebalance;
  }

  public DrainStatus getDrain() {
    return drain;
  }

  public void setDrain(DrainStatus drain) {
    this.drain = drain;
  }

  public List<String> getConsumerGroupsToDelete() {
    return consumerGroupsToDelete;
  }

  public void setConsumerGroupsToDelete(List<String> consumerGroupsToDelete) {
    this.consumerGroupsToDelete = consumerGroupsToDelete;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}
