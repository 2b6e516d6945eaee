package dev.odin.ws.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Moves clients onto new shards after a scale-up: WebSockets are long-lived, so without it a new shard gets only new
 * clients while the old ones stay hot. In rounds, shards above the mean shed their excess (POST /shed: closed with
 * 1012, paced over drain.seconds; the clients resume with {@code since}, and the least-connections balancer sends them
 * to the emptiest shards), a bounded number of clients per round over the whole cluster, until every shard is within
 * a tolerance of the mean. A pure function, shared by the operator (progress in status.rebalance) and local mode.
 */
public final class Rebalancer {
  /** Balanced: every shard within this fraction of the mean. */
  public static final double TOLERANCE = 0.10;
  /** Clients one round may ask to reconnect, per second of drain.seconds, over the whole cluster. */
  public static final int RECONNECTS_PER_SECOND = 200;
  /** After a round's drain window, time for its clients to reconnect before the shards are counted again. */
  public static final Duration SETTLE = Duration.ofSeconds(3);
  /**
   * Rounds before giving up: clients that do not come back to the emptiest shards (a plain Service balancer, or
   * clients that reconnect elsewhere) would otherwise be shed forever.
   */
  public static final int MAX_ROUNDS = 10;

  private Rebalancer() {}

  /** Where a rebalance stands. */
  public enum Phase {
    /** After a scale-up: waiting for every shard to be Ready and for any drain or scaling to end. */
    Waiting,
    /** Rounds of shedding in progress. */
    Shedding,
    /** Every shard within the tolerance of the mean (or as close as whole connections allow). */
    Balanced,
    /** {@link #MAX_ROUNDS} rounds did not balance the shards. */
    GaveUp
  }

  /** The tolerance, the cluster-wide pace and the rounds allowed; {@link #of} for the defaults. */
  public record Policy(double tolerance, int drainSeconds, int reconnectsPerSecond, Duration settle, int maxRounds) {
    public static Policy of(int drainSeconds) {
      return new Policy(TOLERANCE, drainSeconds, RECONNECTS_PER_SECOND, SETTLE, MAX_ROUNDS);
    }

    /** The most clients one round sheds: the pace times the window the shards spread the closes over. */
    public int perRound() {
      return reconnectsPerSecond * Math.max(1, drainSeconds);
    }
  }

  /** One shard as this round sees it: its connections, and whether it is Ready (and not draining). */
  public record Shard(int index, long connections, boolean ready) {}

  /**
   * @param since when the scale-up that began this rebalance was seen
   * @param shed connections asked to move so far
   * @param lastRound when the last round's sheds were asked for; null before the first
   * @param imbalancePercent the largest distance of a shard from the mean, in percent of the mean
   */
  public record Progress(Phase phase, Instant since, int rounds, long shed, Instant lastRound, int imbalancePercent,
      String message) {
    public boolean active() {
      return phase == Phase.Waiting || phase == Phase.Shedding;
    }
  }

  /** What to do now: the progress to record and, by shard index, how many clients each shard sheds now. */
  public record Round(Progress progress, Map<Integer, Integer> shed) {}

  /** A rebalance that begins with a scale-up seen at {@code now}. */
  public static Progress begin(Instant now) {
    return new Progress(Phase.Waiting, now, 0, 0, null, 0, "scale-up seen; waiting for the new shards to be Ready");
  }

  /**
   * One step of the rebalance {@code progress} (nothing when it is not active).
   *
   * @param shards every shard of the cluster that stays (indices 0..n-1)
   * @param busy why clients must not be moved now (a drain or a scaling in progress), or null
   */
  public static Round step(Policy policy, Progress progress, List<Shard> shards, String busy, Instant now) {
    if (progress == null || !progress.active()) {
      return new Round(progress, Map.of());
    }
    if (busy != null) {
      return new Round(with(progress, Phase.Waiting, progress.imbalancePercent(), "waits: " + busy), Map.of());
    }
    List<Integer> notReady = shards.stream().filter(s -> !s.ready()).map(Shard::index).toList();
    if (!notReady.isEmpty()) {
      return new Round(with(progress, Phase.Waiting, progress.imbalancePercent(),
          "waits for shard(s) " + notReady + " to be Ready"), Map.of());
    }
    if (shards.size() < 2) {
      return new Round(with(progress, Phase.Balanced, 0, "one shard: nothing to balance"), Map.of());
    }
    long total = shards.stream().mapToLong(Shard::connections).sum();
    double mean = (double) total / shards.size();
    double allowed = Math.max(policy.tolerance() * mean, 1);
    double worst = shards.stream().mapToDouble(s -> Math.abs(s.connections() - mean)).max().orElse(0);
    int imbalance = mean == 0 ? 0 : (int) Math.round(100 * worst / mean);
    String spread = String.format(Locale.ROOT, "mean %.0f, furthest shard %d%% from it, tolerance %.0f%%", mean,
        imbalance, 100 * policy.tolerance());
    if (worst <= allowed) {
      return new Round(with(progress, Phase.Balanced, imbalance, "balanced: " + spread), Map.of());
    }
    if (progress.lastRound() != null && now.isBefore(progress.lastRound()
        .plus(Duration.ofSeconds(policy.drainSeconds())).plus(policy.settle()))) {
      return new Round(with(progress, Phase.Shedding, imbalance,
          "round " + progress.rounds() + "'s clients are moving; " + spread), Map.of());
    }
    long target = (long) Math.ceil(mean);
    Map<Integer, Long> excess = new TreeMap<>();
    shards.forEach(s -> {
      if (s.connections() > target) {
        excess.put(s.index(), s.connections() - target);
      }
    });
    if (excess.isEmpty()) {
      return new Round(with(progress, Phase.Balanced, imbalance,
          "as even as whole connections allow: " + spread), Map.of());
    }
    if (progress.rounds() >= policy.maxRounds()) {
      return new Round(with(progress, Phase.GaveUp, imbalance, policy.maxRounds() + " rounds did not balance the "
          + "shards (does the balancer send clients to the emptiest shard?): " + spread), Map.of());
    }
    Map<Integer, Integer> shed = share(excess, policy.perRound());
    long count = shed.values().stream().mapToLong(Integer::longValue).sum();
    int round = progress.rounds() + 1;
    String message = "round " + round + ": shards shed " + shed + " (" + count + " clients, 1012 over "
        + policy.drainSeconds() + "s); " + spread;
    return new Round(new Progress(Phase.Shedding, progress.since(), round, progress.shed() + count, now, imbalance,
        message), shed);
  }

  /** The excess of each shard, cut down in proportion to fit {@code budget}; largest remainders round up. */
  static Map<Integer, Integer> share(Map<Integer, Long> excess, long budget) {
    long total = excess.values().stream().mapToLong(Long::longValue).sum();
    Map<Integer, Integer> out = new TreeMap<>();
    if (total <= budget) {
      excess.forEach((i, n) -> out.put(i, Math.toIntExact(n)));
      return out;
    }
    long given = 0;
    List<Map.Entry<Integer, Double>> remainders = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : excess.entrySet()) {
      double exact = (double) e.getValue() * budget / total;
      long whole = (long) Math.floor(exact);
      out.put(e.getKey(), Math.toIntExact(whole));
      given += whole;
      remainders.add(Map.entry(e.getKey(), exact - whole));
    }
    remainders.sort(Map.Entry.<Integer, Double>comparingByValue(Comparator.reverseOrder()));
    for (int i = 0; given < budget && i < remainders.size(); i++, given++) {
      out.merge(remainders.get(i).getKey(), 1, Integer::sum);
    }
    out.values().removeIf(n -> n == 0);
    return out;
  }

  private static Progress with(Progress p, Phase phase, int imbalance, String message) {
    return new Progress(phase, p.since(), p.rounds(), p.shed(), p.lastRound(), imbalance, message);
  }
}
