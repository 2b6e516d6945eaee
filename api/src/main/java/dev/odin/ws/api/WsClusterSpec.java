package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/**
 * What the user asks for: shard count, shard pod shape, Kafka source, balancer, draining, scaling, monitoring,
 * authentication and the network policy.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WsClusterSpec {
  @SpecReplicas
  @Min(0)
  @Default("1")
  @JsonPropertyDescription(
      "Number of shard pods. Each shard consumes every record through its own consumer group. "
          + "Scale with `kubectl scale wscluster/NAME --replicas=N`.")
  private Integer shards;

  @JsonPropertyDescription("Shard-server image; default: the operator's configured shard image.")
  private String image;

  @JsonPropertyDescription(
      "Requests and limits of each shard pod. The CPU limit sizes the shard's event loops and its default "
          + "connection limit (10,000 per CPU).")
  private ResourceRequirements resources;

  @Min(1)
  @JsonPropertyDescription(
      "Admission limit per shard; further upgrades get HTTP 503. Default: 10,000 per CPU of the CPU limit, "
          + "else the shard's own default.")
  private Integer maxConnectionsPerShard;

  @Required
  @JsonPropertyDescription("The Kafka fan-out source every shard reads in full.")
  private KafkaSpec kafka;

  @JsonPropertyDescription("The public entry point in front of the shards.")
  private BalancerSpec balancer;

  @JsonPropertyDescription("How clients are moved off a shard on scale-down, rollout and rebalancing.")
  private DrainSpec drain;

  @JsonPropertyDescription("Shard autoscaling on connections and CPU.")
  private AutoscalingSpec autoscaling;

  /** Whether clients are moved onto new shards after a scale-up. */
  public enum Rebalance {
    Off,
    Auto
  }

  @Default("Auto")
  @JsonPropertyDescription(
      "`Auto`: after a scale-up, once the new shards are Ready, shards above the mean shed clients (1012, paced "
          + "over drain.seconds, a bounded number per round) until every shard is within 10% of the mean; the "
          + "clients resume on the emptiest shards. `Off`: new shards get only new clients.")
  private Rebalance rebalance;

  @JsonPropertyDescription("Prometheus Operator and Grafana integration.")
  private MonitoringSpec monitoring;

  @JsonPropertyDescription(
      "Authentication and channel permissions. Without it (or with mode None) the cluster is open: any client that "
          + "reaches it may subscribe to any channel.")
  private AuthSpec auth;

  @JsonPropertyDescription("The NetworkPolicy around the shard pods.")
  private NetworkPolicySpec networkPolicy;

  public Integer getShards() {
    return shards;
  }

  public void setShards(Integer shards) {
    this.shards = shards;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Integer getMaxConnectionsPerShard() {
    return maxConnectionsPerShard;
  }

  public void setMaxConnectionsPerShard(Integer maxConnectionsPerShard) {
    this.maxConnectionsPerShard = maxConnectionsPerShard;
  }

  public KafkaSpec getKafka() {
    return kafka;
  }

  public void setKafka(KafkaSpec kafka) {
    this.kafka = kafka;
  }

  public BalancerSpec getBalancer() {
    return balancer;
  }

  public void setBalancer(BalancerSpec balancer) {
    this.balancer = balancer;
  }

  public DrainSpec getDrain() {
    return drain;
  }

  public void setDrain(DrainSpec drain) {
    this.drain = drain;
  }

  public AutoscalingSpec getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(AutoscalingSpec autoscaling) {
    this.autoscaling = autoscaling;
  }

  public Rebalance getRebalance() {
    return rebalance;
  }

  public void setRebalance(Rebalance rebalance) {
    this.rebalance = rebalance;
  }

  public MonitoringSpec getMonitoring() {
    return monitoring;
  }

  public void setMonitoring(MonitoringSpec monitoring) {
    this.monitoring = monitoring;
  }

  public AuthSpec getAuth() {
    return auth;
  }

  public void setAuth(AuthSpec auth) {
    this.auth = auth;
  }

  public NetworkPolicySpec getNetworkPolicy() {
    return networkPolicy;
  }

  public void setNetworkPolicy(NetworkPolicySpec networkPolicy) {
    this.networkPolicy = networkPolicy;
  }
}
