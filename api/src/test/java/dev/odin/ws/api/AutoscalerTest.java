package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AutoscalerTest {
  private static final Autoscaler.Policy POLICY = new Autoscaler.Policy(2, 8, 1000, 300);
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  @Test
  void recommendsConnectionsDividedByTargetRoundedUp() {
    assertEquals(4, Autoscaler.recommend(POLICY, 3001, 4, null, NOW).shards());
  }

  @Test
  void neverRecommendsFewerThanMinShards() {
    Autoscaler.Recommendation r = Autoscaler.recommend(POLICY, 0, 2, null, NOW);
    assertEquals(2, r.shards());
    assertTrue(r.reason().contains("bounded"), r.reason());
  }

  @Test
  void neverRecommendsMoreThanMaxShards() {
    assertEquals(8, Autoscaler.recommend(POLICY, 1_000_000, 4, null, NOW).shards());
  }

  @Test
  void scaleUpIsNotHeldByStabilization() {
    assertEquals(6, Autoscaler.recommend(POLICY, 5500, 3, NOW.minusSeconds(1), NOW).shards());
  }

  @Test
  void scaleDownIsHeldWhileTheLastScalingIsYoungerThanTheWindow() {
    Autoscaler.Recommendation r = Autoscaler.recommend(POLICY, 1500, 6, NOW.minusSeconds(100), NOW);
    assertEquals(6, r.shards());
    assertTrue(r.reason().contains("stabilization"), r.reason());
  }

  @Test
  void scaleDownHappensOnceTheWindowHasPassed() {
    assertEquals(2, Autoscaler.recommend(POLICY, 1500, 6, NOW.minusSeconds(300), NOW).shards());
  }

  @Test
  void zeroMinShardsAllowsScaleToZeroWithoutConnections() {
    Autoscaler.Policy p = new Autoscaler.Policy(0, 8, 1000, 0);
    assertEquals(0, Autoscaler.recommend(p, 0, 3, null, NOW).shards());
  }
}
