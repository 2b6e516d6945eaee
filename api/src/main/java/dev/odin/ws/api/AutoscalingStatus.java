package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.time.Instant;

/** The autoscaler's latest output, and what it remembers from one decision to the next ({@link Autoscaler.Memory}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoscalingStatus {
  @JsonPropertyDescription("Shard count the autoscaler recommends now, after stabilization and the step limit "
      + "(in mode Auto: what spec.shards is set to; in mode Recommend it moves as Auto would move spec.shards).")
  private Integer recommendedShards;

  @JsonPropertyDescription("Shard count the load asks for this moment, before stabilization and the step limit.")
  private Integer desiredShards;

  @JsonPropertyDescription("Why this recommendation: which signal (connections or CPU) decided, and what holds it.")
  private String reason;

  @JsonPropertyDescription("When spec.shards (in mode Recommend: the recommendation) last changed (RFC 3339).")
  private String lastScaleTime;

  @JsonPropertyDescription("spec.shards as the autoscaler last saw or wrote it; in mode Auto, any other value in the "
      + "spec was set by hand.")
  private Integer specShards;

  @JsonPropertyDescription("A change the load has asked for without a break since pendingSince: the most cautious "
      + "count asked over that time.")
  private Integer pendingShards;

  @JsonPropertyDescription("Since when the load has asked for pendingShards (RFC 3339).")
  private String pendingSince;

  @JsonPropertyDescription("When spec.shards was last set by hand in mode Auto (RFC 3339): Auto leaves it alone for "
      + "scaleDownStabilizationSeconds after that.")
  private String manualChangeTime;

  /** The status form of a decision. */
  public static AutoscalingStatus of(Autoscaler.Decision d) {
    AutoscalingStatus s = new AutoscalingStatus();
    s.recommendedShards = d.shards();
    s.desiredShards = d.desiredShards();
    s.reason = d.reason();
    Autoscaler.Memory m = d.memory();
    s.specShards = m.specShards();
    s.lastScaleTime = text(m.lastScaleTime());
    s.pendingShards = m.pendingShards();
    s.pendingSince = text(m.pendingSince());
    s.manualChangeTime = text(m.manualChangeTime());
    return s;
  }

  /** What the autoscaler remembers, from this status. */
  @JsonIgnore
  public Autoscaler.Memory memory() {
    return new Autoscaler.Memory(specShards, recommendedShards, instant(lastScaleTime), pendingShards,
        instant(pendingSince), instant(manualChangeTime));
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  private static Instant instant(String t) {
    return t == null ? null : Instant.parse(t);
  }

  public Integer getRecommendedShards() {
    return recommendedShards;
  }

  public void setRecommendedShards(Integer recommendedShards) {
    this.recommendedShards = recommendedShards;
  }

  public Integer getDesiredShards() {
    return desiredShards;
  }

  public void setDesiredShards(Integer desiredShards) {
    this.desiredShards = desiredShards;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getLastScaleTime() {
    return lastScaleTime;
  }

  public void setLastScaleTime(String lastScaleTime) {
    this.lastScaleTime = lastScaleTime;
  }

  public Integer getSpecShards() {
    return specShards;
  }

  public void setSpecShards(Integer specShards) {
    this.specShards = specShards;
  }

  public Integer getPendingShards() {
    return pendingShards;
  }

  public void setPendingShards(Integer pendingShards) {
    this.pendingShards = pendingShards;
  }

  public String getPendingSince() {
    return pendingSince;
  }

  public void setPendingSince(String pendingSince) {
    this.pendingSince = pendingSince;
  }

  public String getManualChangeTime() {
    return manualChangeTime;
  }

  public void setManualChangeTime(String manualChangeTime) {
    this.manualChangeTime = manualChangeTime;
  }
}
