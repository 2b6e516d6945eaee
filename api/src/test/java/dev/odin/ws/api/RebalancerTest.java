package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rebalancer's rounds, one at a time and over a simulated cluster: a step every second, and the clients a round
 * sheds arriving on the emptiest shard one by one once the round's drain window has passed, as a least-connections
 * balancer places them.
 */
class RebalancerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  /** 5 s drain window: at most 1,000 clients per round (200 per second), rounds 8 s apart (window + 3 s settle). */
  private static final Rebalancer.Policy POLICY = Rebalancer.Policy.of(5);

  @Test
  void afterAScaleUpFromTwoToFourShardsEveryShardEndsWithinTheToleranceMovingOnlyTheExcess() {
    Sim sim = new Sim(new long[] {2000, 2000, 0, 0});
    Rebalancer.Progress end = sim.run(120);
    assertEquals(Rebalancer.Phase.Balanced, end.phase(), end.message());
    for (long c : sim.connections) {
      assertTrue(Math.abs(c - 1000) <= 100, "a shard outside 10% of the mean: " + java.util.Arrays.toString(sim.connections));
    }
    // 2,000 clients had to move; no more were asked to.
    assertEquals(2000, end.shed());
    assertEquals(2000, sim.rounds.stream().mapToLong(r -> r.values().stream().mapToLong(Integer::longValue).sum()).sum());
    for (Map<Integer, Integer> round : sim.rounds) {
      long asked = round.values().stream().mapToLong(Integer::longValue).sum();
      assertTrue(asked <= POLICY.perRound(), "a round asked " + asked + " clients to move, over the bound");
      assertTrue(round.keySet().stream().allMatch(i -> i < 2), "a round shed from a shard below the mean: " + round);
    }
    assertEquals(2, sim.rounds.size());
    for (int i = 1; i < sim.roundTimes.size(); i++) {
      assertTrue(sim.roundTimes.get(i) - sim.roundTimes.get(i - 1) >= 8, "rounds closer than window + settle: "
          + sim.roundTimes);
    }
  }

  @Test
  void nothingIsShedUntilEveryShardIsReady() {
    List<Rebalancer.Shard> shards = List.of(shard(0, 3000, true), shard(1, 0, false));
    Rebalancer.Round r = Rebalancer.step(POLICY, Rebalancer.begin(T0), shards, null, T0);
    assertEquals(Map.of(), r.shed());
    assertEquals(Rebalancer.Phase.Waiting, r.progress().phase());
    assertEquals("waits for shard(s) [1] to be Ready", r.progress().message());
  }

  @Test
  void nothingIsShedWhileADrainOrAScalingIsInProgressAndTheRoundsResumeAfter() {
    Sim sim = new Sim(new long[] {3000, 0, 0});
    Rebalancer.Progress during = sim.run(30, t -> t < 20 ? "shard 3 is draining (scale-down)" : null);
    assertTrue(sim.roundTimes.stream().allMatch(t -> t >= 20), "shed while draining: " + sim.roundTimes);
    assertEquals(Rebalancer.Phase.Shedding, during.phase());
    assertEquals(Rebalancer.Phase.Balanced, sim.run(60).phase());
  }

  @Test
  void shardsAlreadyWithinTheToleranceAreBalancedAtOnce() {
    List<Rebalancer.Shard> shards = List.of(shard(0, 1050, true), shard(1, 950, true), shard(2, 1000, true));
    Rebalancer.Round r = Rebalancer.step(POLICY, Rebalancer.begin(T0), shards, null, T0);
    assertEquals(Map.of(), r.shed());
    assertEquals(Rebalancer.Phase.Balanced, r.progress().phase());
    assertEquals(5, r.progress().imbalancePercent());
  }

  @Test
  void aShardFarBelowTheMeanIsFilledByShardsAboveTheMeanEvenWithinTheirTolerance() {
    // Mean 1,000: shard 3 is 15% below; the others are within 10% above, and they make room for it.
    List<Rebalancer.Shard> shards = List.of(shard(0, 1050, true), shard(1, 1050, true), shard(2, 1050, true),
        shard(3, 850, true));
    Rebalancer.Round r = Rebalancer.step(POLICY, Rebalancer.begin(T0), shards, null, T0);
    assertEquals(Map.of(0, 50, 1, 50, 2, 50), r.shed());
  }

  @Test
  void whenClientsDoNotComeBackToTheEmptiestShardTheRebalancerGivesUpAfterItsRounds() {
    Sim sim = new Sim(new long[] {2000, 0});
    sim.clientsReturnToTheSameShard = true;
    Rebalancer.Progress end = sim.run(200);
    assertEquals(Rebalancer.Phase.GaveUp, end.phase());
    assertEquals(Rebalancer.MAX_ROUNDS, sim.rounds.size());
    assertTrue(end.message().contains("does the balancer send clients to the emptiest shard?"), end.message());
  }

  @Test
  void aRoundOverTheBoundSharesItInProportionToEachShardsExcess() {
    assertEquals(Map.of(0, 750, 1, 250), Rebalancer.share(Map.of(0, 3000L, 1, 1000L), 1000));
    assertEquals(Map.of(0, 1, 1, 1, 2, 1), Rebalancer.share(Map.of(0, 1L, 1, 1L, 2, 1L), 3));
    assertEquals(1000, Rebalancer.share(Map.of(0, 333L, 1, 333L, 2, 334L, 3, 1000L), 1000).values().stream()
        .mapToInt(Integer::intValue).sum());
  }

  @Test
  void aRebalanceThatIsOverDoesNothing() {
    Rebalancer.Progress done = new Rebalancer.Progress(Rebalancer.Phase.Balanced, T0, 2, 900, T0, 3, "balanced");
    Rebalancer.Round r = Rebalancer.step(POLICY, done, List.of(shard(0, 5000, true), shard(1, 0, true)), null,
        T0.plusSeconds(60));
    assertEquals(Map.of(), r.shed());
    assertEquals(done, r.progress());
  }

  private static Rebalancer.Shard shard(int index, long connections, boolean ready) {
    return new Rebalancer.Shard(index, connections, ready);
  }

  /** A cluster whose shed clients come back, after the round's window, to the shard with the fewest connections. */
  private static final class Sim {
    final long[] connections;
    final List<Map<Integer, Integer>> rounds = new ArrayList<>();
    final List<Integer> roundTimes = new ArrayList<>();
    boolean clientsReturnToTheSameShard;
    private final List<long[]> arriving = new ArrayList<>(); // {due second, count, from shard}
    private Rebalancer.Progress progress = Rebalancer.begin(T0);
    private int t;

    Sim(long[] connections) {
      this.connections = connections;
    }

    Rebalancer.Progress run(int until) {
      return run(until, s -> null);
    }

    Rebalancer.Progress run(int until, java.util.function.IntFunction<String> busy) {
      for (; t <= until; t++) {
        for (long[] a : List.copyOf(arriving)) {
          if (a[0] <= t) {
            for (long i = 0; i < a[1]; i++) {
              connections[clientsReturnToTheSameShard ? (int) a[2] : emptiest()]++;
            }
            arriving.remove(a);
          }
        }
        List<Rebalancer.Shard> shards = new ArrayList<>();
        for (int i = 0; i < connections.length; i++) {
          shards.add(shard(i, connections[i], true));
        }
        Rebalancer.Round r = Rebalancer.step(POLICY, progress, shards, busy.apply(t), T0.plusSeconds(t));
        progress = r.progress();
        if (!r.shed().isEmpty()) {
          rounds.add(r.shed());
          roundTimes.add(t);
          r.shed().forEach((i, n) -> {
            connections[i] -= n;
            arriving.add(new long[] {t + POLICY.drainSeconds() + 1, n, i});
          });
        }
      }
      return progress;
    }

    private int emptiest() {
      int best = 0;
      for (int i = 1; i < connections.length; i++) {
        if (connections[i] < connections[best]) {
          best = i;
        }
      }
      return best;
    }
  }

  @Test
  void thePolicyBoundsARoundByTheClusterWidePaceTimesTheDrainWindow() {
    assertEquals(1000, Rebalancer.Policy.of(5).perRound());
    assertEquals(200, Rebalancer.Policy.of(0).perRound());
    assertEquals(Duration.ofSeconds(3), Rebalancer.Policy.of(5).settle());
  }
}
