package dev.odin.ws.api;

import java.time.Duration;
import java.time.Instant;

/** The connection-based shard recommendation: a pure function, shared by the operator and local mode. */
public final class Autoscaler {
  private Autoscaler() {}

  /** Bounds, target and scale-down pace (defaults filled in). */
  public record Policy(int minShards, int maxShards, int targetConnectionsPerShard, int scaleDownStabilizationSeconds) {}

  /** The recommended shard count and why. */
  public record Recommendation(int shards, String reason) {}

  /**
   * Recommends {@code ceil(connections / target)} shards within {@code [min, max]}. A recommendation below the
   * current count is held back while the last scaling is younger than the stabilization window, so a short dip in
   * traffic does not drain shards whose clients come straight back.
   *
   * @param lastScaleTime when the shard count last changed; null when unknown (no hold-back)
   */
  public static Recommendation recommend(
      Policy policy, long connections, int currentShards, Instant lastScaleTime, Instant now) {
    long target = Math.max(1, policy.targetConnectionsPerShard());
    long needed = (Math.max(0, connections) + target - 1) / target;
    int bounded = (int) Math.max(policy.minShards(), Math.min(policy.maxShards(), needed));
    String why = connections + " connections / target " + target + " per shard = " + needed;
    if (bounded != needed) {
      why += ", bounded to [" + policy.minShards() + ", " + policy.maxShards() + "]";
    }
    if (bounded < currentShards && lastScaleTime != null) {
      Duration sinceScale = Duration.between(lastScaleTime, now);
      Duration window = Duration.ofSeconds(policy.scaleDownStabilizationSeconds());
      if (sinceScale.compareTo(window) < 0) {
        return new Recommendation(
            currentShards,
            why + "; scale-down to " + bounded + " held for stabilization ("
                + sinceScale.toSeconds() + "s of " + window.toSeconds() + "s since the last scaling)");
      }
    }
    return new Recommendation(bounded, why);
  }
}
