package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Pacing of client disconnects when a shard goes away. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DrainSpec {
  @Min(0)
  @Max(3600)
  @Default("30")
  @JsonPropertyDescription(
      "Window over which a draining shard closes its clients with 1012 (scale-down, rollout, "
          + "rebalancing). Pod termination grace is this plus a margin.")
  private Integer seconds;

  public Integer getSeconds() {
    return seconds;
  }

  public void setSeconds(Integer seconds) {
    this.seconds = seconds;
  }
}
