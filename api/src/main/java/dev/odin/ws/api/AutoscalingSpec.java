package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Connection-based shard autoscaling bounds and pace. */
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
  @Default("5000")
  @JsonPropertyDescription("Connections per shard the autoscaler aims for.")
  private Integer targetConnectionsPerShard;

  @Min(0)
  @Default("300")
  @JsonPropertyDescription(
      "A scale-down is recommended only when the last scaling is at least this many seconds old.")
  private Integer scaleDownStabilizationSeconds;

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

  public Integer getScaleDownStabilizationSeconds() {
    return scaleDownStabilizationSeconds;
  }

  public void setScaleDownStabilizationSeconds(Integer scaleDownStabilizationSeconds) {
    this.scaleDownStabilizationSeconds = scaleDownStabilizationSeconds;
  }
}
