package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Shard autoscaling on connections and CPU: bounds, targets and pace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = AutoscalingSpec.MIN_LE_MAX_RULE, message = AutoscalingSpec.MIN_LE_MAX_MESSAGE)
public class AutoscalingSpec {
  public static final String MIN_LE_MAX_RULE =
      "!has(self.minShards) || !has(self.maxShards) || self.minShards <= self.maxShards";
  /**
   * The API server defaults both bounds before it checks the rule, so the message says what an unset bound is: a
   * lone {@code minShards: 30} is refused for the default {@code maxShards} of 10.
   */
  public static final String MIN_LE_MAX_MESSAGE =
      "minShards must be less than or equal to maxShards (unset, minShards is " + WsClusterDefaults.MIN_SHARDS
          + " and maxShards is " + WsClusterDefaults.MAX_SHARDS + ")";

  /** Off: nothing; Recommend: status only; Auto: the operator writes spec.shards. */
  public enum Mode {
    Off,
    Recommend,
    Auto
  }

  @Default("Off")
  @JsonPropertyDescription(
      "`Off`; `Recommend`: the recommendation is written to status.autoscaling only; `Auto`: the "
          + "operator also writes spec.shards.")
  private Mode mode;

  @Min(0)
  @Default("" + WsClusterDefaults.MIN_SHARDS)
  @JsonPropertyDescription("Lowest shard count the autoscaler recommends.")
  private Integer minShards;

  @Min(0)
  @Default("" + WsClusterDefaults.MAX_SHARDS)
  @JsonPropertyDescription("Highest shard count the autoscaler recommends.")
  private Integer maxShards;

  @Min(1)
  @Default("" + WsClusterDefaults.TARGET_CONNECTIONS_PER_SHARD)
  @JsonPropertyDescription("Connections per shard the autoscaler aims for.")
  private Integer targetConnectionsPerShard;

  @Min(value = 0, inclusive = false)
  @Max(1)
  @JsonPropertyDescription(
      "CPU use per shard the autoscaler aims for, as a fraction of the shard's CPU limit (e.g. 0.7); unset: CPU "
          + "is not a signal. The autoscaler asks for the larger of ceil(connections / targetConnectionsPerShard) "
          + "and ceil(total CPU / targetCpuUtilization).")
  private Double targetCpuUtilization;

  @Min(0)
  @Default("" + WsClusterDefaults.SCALE_UP_STABILIZATION_SECONDS)
  @JsonPropertyDescription(
      "A scale-up happens only once the load has asked for it without a break for this many seconds: a shorter "
          + "spike adds no shard.")
  private Integer scaleUpStabilizationSeconds;

  @Min(0)
  @Default("" + WsClusterDefaults.SCALE_DOWN_STABILIZATION_SECONDS)
  @JsonPropertyDescription(
      "A scale-down happens only once the load has asked for it without a break for this many seconds and the "
          + "last scaling is at least this old. In mode Auto, a spec.shards set by hand is left alone this long.")
  private Integer scaleDownStabilizationSeconds;

  @Min(1)
  @Default("" + WsClusterDefaults.MAX_SHARDS_PER_STEP)
  @JsonPropertyDescription(
      "The most shards one scaling adds or removes; a further step waits for its own stabilization window.")
  private Integer maxShardsPerStep;

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public Integer getMinShards() {
    return minShards;
  }

  public void setMinShards(Integer minShards) {
    this.minShards = minShards;
  }

  public Integer getMaxShards() {
    return maxShards;
  }

  public void setMaxShards(Integer maxShards) {
    this.maxShards = maxShards;
  }

  public Integer getTargetConnectionsPerShard() {
    return targetConnectionsPerShard;
  }

  public void setTargetConnectionsPerShard(Integer targetConnectionsPerShard) {
    this.targetConnectionsPerShard = targetConnectionsPerShard;
  }

  public Double getTargetCpuUtilization() {
    return targetCpuUtilization;
  }

  public void setTargetCpuUtilization(Double targetCpuUtilization) {
    this.targetCpuUtilization = targetCpuUtilization;
  }

  public Integer getScaleUpStabilizationSeconds() {
    return scaleUpStabilizationSeconds;
  }

  public void setScaleUpStabilizationSeconds(Integer scaleUpStabilizationSeconds) {
    this.scaleUpStabilizationSeconds = scaleUpStabilizationSeconds;
  }

  public Integer getMaxShardsPerStep() {
    return maxShardsPerStep;
  }

  public void setMaxShardsPerStep(Integer maxShardsPerStep) {
    this.maxShardsPerStep = maxShardsPerStep;
  }

  public Integer getScaleDownStabilizationSeconds() {
    return scaleDownStabilizationSeconds;
  }

  public void setScaleDownStabilizationSeconds(Integer scaleDownStabilizationSeconds) {
    this.scaleDownStabilizationSeconds = scaleDownStabilizationSeconds;
  }
}
