package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * The autoscaler's decisions, one at a time and over simulated series: the load as a function of time, a decision
 * every second as the operator's reconcile makes it, spec.shards following it as mode Auto writes it.
 */
class AutoscalerTest {
  /** min 1, max 8, 1,000 connections per shard, no CPU target, 10 s up, 60 s down, 2 shards per step. */
  private static final Autoscaler.Policy POLICY = new Autoscaler.Policy(1, 8, 1000, null, 10, 60, 2);
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

  @Test
  void recommendsConnectionsDividedByTargetRoundedUpAndSaysConnectionsDecided() {
    Autoscaler.Decision d = decideNow(POLICY, new Autoscaler.Load(3001, 0), 4);
    assertEquals(4, d.desiredShards());
    assertTrue(d.reason().startsWith("connections decide: 3001 connections / 1000 per shard = 4"), d.reason());
  }

  @Test
  void cpuDecidesWhenItAsksForMoreShardsThanConnections() {
    Autoscaler.Policy cpu = withCpu(0.7);
    // 1,200 connections ask for 2; 3 shards' worth of CPU at 0.9 each (2.7) / 0.7 asks for 4.
    Autoscaler.Decision d = decideNow(cpu, new Autoscaler.Load(1200, 2.7), 4);
    assertEquals(4, d.desiredShards());
    assertTrue(d.reason().startsWith("CPU decides: CPU 2.70 / 0.70 per shard = 4"), d.reason());
    assertTrue(d.reason().contains("1200 connections / 1000 per shard = 2"), d.reason());
  }

  @Test
  void connectionsDecideWhenCpuAsksForFewer() {
    Autoscaler.Decision d = decideNow(withCpu(0.7), new Autoscaler.Load(5000, 0.7), 5);
    assertEquals(5, d.desiredShards());
    assertTrue(d.reason().startsWith("connections decide"), d.reason());
    assertTrue(d.reason().contains("CPU 0.70 / 0.70 per shard = 1"), d.reason());
  }

  @Test
  void anExactCpuQuotientIsNotRoundedUpByFloatingPointNoise() {
    assertEquals(3, decideNow(withCpu(0.7), new Autoscaler.Load(0, 2.1), 3).desiredShards());
  }

  @Test
  void withoutACpuTargetCpuIsNoSignal() {
    Autoscaler.Decision d = decideNow(POLICY, new Autoscaler.Load(100, 7.5), 1);
    assertEquals(1, d.desiredShards());
    assertFalse(d.reason().contains("CPU"), d.reason());
  }

  @Test
  void theRecommendationStaysWithinTheBoundsAndSaysSo() {
    Autoscaler.Decision low = decideNow(new Autoscaler.Policy(2, 8, 1000, null, 0, 0, 8), new Autoscaler.Load(0, 0), 2);
    assertEquals(2, low.desiredShards());
    assertTrue(low.reason().contains("bounded to [2, 8]"), low.reason());
    assertEquals(8, decideNow(POLICY, new Autoscaler.Load(1_000_000, 0), 8).desiredShards());
  }

  @Test
  void aRampUpScalesInStepsOfAtMostMaxShardsPerStepEachAfterItsOwnWindow() {
    // 0 -> 6,000 connections over 60 s, then flat.
    Run run = simulate(1, 200, t -> Math.min(6000, t * 100L), t -> 0);
    // Asked for 2 at t=1 (100 connections -> 1 still), 2 from t=11 (1,100)...: every step waits 10 s of asking.
    assertEquals(6, run.finalShards());
    List<Integer> changes = run.changes();
    for (int i = 1; i < changes.size(); i++) {
      assertTrue(changes.get(i) - changes.get(i - 1) <= 2, "a step larger than 2: " + changes);
    }
    assertTrue(run.firstTimeAt(6) >= 60, "reached 6 shards before the load asked for 6 for 10 s: " + run.firstTimeAt(6));
  }

  @Test
  void aSustainedJumpIsTakenInStepsOfMaxShardsPerStepEachAfterItsOwnWindow() {
    Run run = simulate(1, 100, t -> 8000, t -> 0);
    assertEquals(List.of(1, 3, 5, 7, 8), run.changes());
    assertEquals(10, run.firstTimeAt(3));
    assertEquals(21, run.firstTimeAt(5));
  }

  @Test
  void aSpikeShorterThanTheScaleUpWindowAddsNoShard() {
    // 500 connections, 8 s at 5,000, back to 500.
    Run run = simulate(1, 120, t -> t >= 30 && t < 38 ? 5000 : 500, t -> 0);
    assertEquals(List.of(1), run.changes(), "the spike added shards");
  }

  @Test
  void aSpikeAsLongAsTheWindowScalesToTheLowestCountItAskedFor() {
    // 12 s above: 3,000 for the first 4 s, then 5,000: the lowest count asked throughout the window is 3.
    Run run = simulate(1, 13, t -> t < 1 ? 500 : t < 5 ? 3000 : 5000, t -> 0);
    assertEquals(3, run.finalShards());
  }

  @Test
  void loadFlappingAroundAThresholdChangesNothing() {
    // 1,900 and 2,100 connections alternating every 5 s, with 2 shards: asks for 2 and 3 by turns, never 10 s on end.
    Run run = simulate(2, 300, t -> (t / 5) % 2 == 0 ? 1900 : 2100, t -> 0);
    assertEquals(List.of(2), run.changes());
  }

  @Test
  void aDipShorterThanTheScaleDownWindowRemovesNoShardAndALastingDropDoes() {
    // 4 shards' worth, a 30 s dip to 1,000 at t=100, then back; a lasting drop at t=200.
    Run run = simulate(4, 400, t -> t >= 100 && t < 130 ? 1000 : t >= 200 ? 1000 : 4000, t -> 0);
    assertEquals(4, run.shardsAt(199), "a 30 s dip removed shards");
    // 60 s down window, 2 shards per step, another 60 s for the next step.
    assertEquals(4, run.shardsAt(259));
    assertEquals(2, run.shardsAt(261));
    assertEquals(1, run.shardsAt(400));
  }

  @Test
  void aScaleDownAlsoWaitsForTheLastScalingToBeOneWindowOld() {
    Autoscaler.Memory justScaled = new Autoscaler.Memory(4, null, T0.minusSeconds(20), 2, T0.minusSeconds(100), null);
    Autoscaler.Decision d = Autoscaler.decide(POLICY, new Autoscaler.Load(1500, 0), 4, justScaled, true, null, T0);
    assertEquals(4, d.shards());
    assertTrue(d.reason().contains("scale-down to 2 held for stabilization (20s of 60s)"), d.reason());
  }

  @Test
  void aScaleDownIsHeldWhileADrainIsInProgressAndHappensOnceItEnds() {
    Autoscaler.Memory ripe = new Autoscaler.Memory(4, null, T0.minusSeconds(600), 2, T0.minusSeconds(100), null);
    Autoscaler.Decision busy = Autoscaler.decide(POLICY, new Autoscaler.Load(1500, 0), 4, ripe, true,
        "a scale-down's drain is in progress", T0);
    assertEquals(4, busy.shards());
    assertTrue(busy.reason().endsWith("waits: a scale-down's drain is in progress"), busy.reason());
    Autoscaler.Decision after = Autoscaler.decide(POLICY, new Autoscaler.Load(1500, 0), 4, busy.memory(), true, null,
        T0.plusSeconds(1));
    assertEquals(2, after.shards());
  }

  @Test
  void aRampWhileADrainRunsScalesOnlyAfterTheDrain() {
    // A drain (of an earlier scale-down) runs from t=0 to t=40 while the load ramps: no scaling until it ends, then
    // at once, as the load has asked for long enough.
    Run run = simulate(2, 60, t -> 4000, t -> 0, t -> t < 40 ? "drain in progress" : null);
    assertEquals(2, run.shardsAt(39));
    assertEquals(4, run.shardsAt(40));
  }

  @Test
  void aManualEditInModeAutoIsNeverRevertedWithinTheWindowAndIsRecorded() {
    // 4,000 connections hold 4 shards; at t=100 a user sets 2 by hand (kubectl scale).
    List<Integer> spec = new ArrayList<>();
    Autoscaler.Memory memory = Autoscaler.Memory.NONE;
    int shards = 4;
    boolean recorded = false;
    for (int t = 0; t <= 200; t++) {
      if (t == 100) {
        shards = 2;
      }
      Autoscaler.Decision d = Autoscaler.decide(POLICY, new Autoscaler.Load(4000, 0), shards, memory, true, null,
          T0.plusSeconds(t));
      if (t == 100) {
        assertTrue(d.manualChange(), "the manual edit was not noticed");
        assertTrue(d.reason().contains("spec.shards was set to 2 by hand"), d.reason());
        recorded = true;
      } else {
        assertFalse(d.manualChange(), "t=" + t + ": " + d.reason());
      }
      memory = d.memory();
      shards = d.shards();
      spec.add(shards);
    }
    assertTrue(recorded);
    assertEquals(T0.plusSeconds(100), memory.manualChangeTime());
    for (int t = 100; t < 160; t++) {
      assertEquals(2, spec.get(t), "the manual edit was reverted at t=" + t);
    }
    // After the window the load's 4 comes back, in one step of 2.
    assertEquals(4, spec.get(170));
  }

  @Test
  void inModeRecommendAUsersChangeIsNotAManualOverrideAndTheRecommendationIsNotApplied() {
    Autoscaler.Memory m = new Autoscaler.Memory(2, null, T0.minusSeconds(600), null, null, null);
    Autoscaler.Decision d = Autoscaler.decide(POLICY, new Autoscaler.Load(6000, 0), 3, m, false, null, T0);
    assertFalse(d.manualChange());
    assertEquals(3, d.memory().specShards());
    assertEquals(T0, d.memory().lastScaleTime());
    // The recommendation matures and stays, as nothing applies it.
    Autoscaler.Decision later = Autoscaler.decide(POLICY, new Autoscaler.Load(6000, 0), 3, d.memory(), false, null,
        T0.plusSeconds(30));
    assertEquals(5, later.shards());
    assertEquals(5, Autoscaler.decide(POLICY, new Autoscaler.Load(6000, 0), 3, later.memory(), false, null,
        T0.plusSeconds(31)).shards());
  }

  @Test
  void inModeRecommendTheRecommendationFollowsARisingLoadAsAutoWouldMoveSpecShards() {
    Autoscaler.Memory memory = Autoscaler.Memory.NONE;
    List<Integer> recommended = new ArrayList<>();
    for (int t = 0; t <= 40; t++) {
      long connections = t < 20 ? 4000 : 6000;
      Autoscaler.Decision d = Autoscaler.decide(POLICY, new Autoscaler.Load(connections, 0), 2, memory, false,
          "ignored in mode Recommend", T0.plusSeconds(t));
      memory = d.memory();
      recommended.add(d.shards());
      assertEquals(2, memory.specShards());
    }
    assertEquals(2, recommended.get(9));
    assertEquals(4, recommended.get(10));
    assertEquals(4, recommended.get(29));
    assertEquals(6, recommended.get(30));
  }

  @Test
  void zeroMinShardsAllowsScaleToZeroWithoutConnections() {
    Autoscaler.Policy p = new Autoscaler.Policy(0, 8, 1000, null, 0, 0, 8);
    Autoscaler.Memory old = new Autoscaler.Memory(3, null, T0.minusSeconds(1), null, null, null);
    assertEquals(0, Autoscaler.decide(p, new Autoscaler.Load(0, 0), 3, old, true, null, T0).shards());
  }

  @Test
  void loadSumsConnectionsAndCpuAndCountsAShardWithoutACpuFigureAsIdle() {
    Autoscaler.Load load = Autoscaler.Load.of(List.of(stats(100, 0.5), stats(200, null), stats(300, 0.25)));
    assertEquals(600, load.connections());
    assertEquals(0.75, load.cpu(), 1e-9);
  }

  private static ShardStats stats(long connections, Double cpu) {
    return new ShardStats("c", 0, "c-0", connections, 0, 100, 0L, false, true, 1, 10.0, cpu);
  }

  private static Autoscaler.Policy withCpu(double target) {
    return new Autoscaler.Policy(1, 8, 1000, target, 10, 60, 2);
  }

  private static Autoscaler.Decision decideNow(Autoscaler.Policy p, Autoscaler.Load load, int spec) {
    return Autoscaler.decide(p, load, spec, Autoscaler.Memory.NONE, true, null, T0);
  }

  private static Run simulate(int start, int seconds, IntToLongFunction connections, IntToDoubleFunction cpu) {
    return simulate(start, seconds, connections, cpu, t -> null);
  }

  /** spec.shards by second, as mode Auto writes it, for {@code seconds + 1} decisions one second apart. */
  private static Run simulate(int start, int seconds, IntToLongFunction connections, IntToDoubleFunction cpu,
      java.util.function.IntFunction<String> busy) {
    List<Integer> spec = new ArrayList<>();
    Autoscaler.Memory memory = new Autoscaler.Memory(start, null, T0.minusSeconds(3600), null, null, null);
    int shards = start;
    for (int t = 0; t <= seconds; t++) {
      Autoscaler.Decision d = Autoscaler.decide(POLICY, new Autoscaler.Load(connections.applyAsLong(t),
          cpu.applyAsDouble(t)), shards, memory, true, busy.apply(t), T0.plusSeconds(t));
      assertFalse(d.manualChange(), "the autoscaler took its own write for a manual one at t=" + t);
      memory = d.memory();
      shards = d.shards();
      spec.add(shards);
    }
    return new Run(spec);
  }

  private record Run(List<Integer> spec) {
    int finalShards() {
      return spec.get(spec.size() - 1);
    }

    int shardsAt(int t) {
      return spec.get(t);
    }

    int firstTimeAt(int shards) {
      return spec.indexOf(shards);
    }

    /** The distinct counts in order of appearance. */
    List<Integer> changes() {
      List<Integer> out = new ArrayList<>();
      for (int s : spec) {
        if (out.isEmpty() || out.get(out.size() - 1) != s) {
          out.add(s);
        }
      }
      return out;
    }
  }
}
