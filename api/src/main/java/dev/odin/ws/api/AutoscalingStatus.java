package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The autoscaler's latest output. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoscalingStatus {
  @JsonPropertyDescription("Shard count the autoscaler recommends now.")
  private Integer recommendedShards;

  @JsonPropertyDescription("When spec.shards last changed through the autoscaler or the operator saw it change (RFC 3339).")
  private String lastScaleTime;

  @JsonPropertyDescription("Why this recommendation.")
  private String reason;

  public Integer getRecommendedShards() {
    return recommendedShards;
  }

  public void setRecommendedShards(Integer recommendedShards) {
    this.recommendedShards = recommendedShards;
  }

  public String getLastScaleTime() {
    return lastScaleTime;
  }

  public void setLastScaleTime(String lastScaleTime) {
    this.lastScaleTime = lastScaleTime;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
