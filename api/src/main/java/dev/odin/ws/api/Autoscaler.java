package dev.odin.ws.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;

/**
 * The shard count the load asks for, and when to move spec.shards towards it: a pure function of the load, the
 * spec and what the autoscaler remembers, shared by the operator (which keeps the memory in status.autoscaling) and
 * local mode (which keeps it in the runner). Its reason is a sentence a user reads in the status.
 */
public final class Autoscaler {
  private Autoscaler() {}

  /**
   * Bounds, targets and pace, defaults filled in. {@code targetCpuUtilization} null: CPU is not a signal.
   *
   * @param maxShardsPerStep the most shards one scaling adds or removes; the next step waits for its own window
   */
  public record Policy(int minShards, int maxShards, int targetConnectionsPerShard, Double targetCpuUtilization,
      int scaleUpStabilizationSeconds, int scaleDownStabilizationSeconds, int maxShardsPerStep) {}

  /**
   * The shards' load, summed: connections, and CPU in units of one shard's CPU limit (three shards at 90 % of their
   * limit are 2.7).
   */
  public record Load(long connections, double cpu) {
    /** The sum over {@code stats}; a shard that has not measured its CPU yet counts as idle. */
    public static Load of(Collection<ShardStats> stats) {
      long connections = 0;
      double cpu = 0;
      for (ShardStats s : stats) {
        connections += s.connections();
        if (s.cpuUtilization() != null && s.cpuUtilization() > 0) {
          cpu += s.cpuUtilization();
        }
      }
      return new Load(connections, cpu);
    }
  }

  /**
   * What the autoscaler remembers from one decision to the next.
   *
   * @param specShards spec.shards as the autoscaler last saw or wrote it: in mode Auto any other value was set by
   *     someone else
   * @param recommendedShards the last recommendation: in mode Recommend, the count the autoscaler moves from as Auto
   *     would move spec.shards (nothing applies it)
   * @param lastScaleTime when the count the autoscaler moves from last changed
   * @param pendingShards a change the load has asked for without a break since {@code pendingSince}: the most
   *     cautious count asked over that time (the lowest on the way up, the highest on the way down); null when none
   * @param manualChangeTime when someone else last changed spec.shards, in mode Auto
   */
  public record Memory(Integer specShards, Integer recommendedShards, Instant lastScaleTime, Integer pendingShards,
      Instant pendingSince, Instant manualChangeTime) {
    public static final Memory NONE = new Memory(null, null, null, null, null, null);
  }

  /**
   * @param shards what spec.shards should be now (in mode Recommend: the recommendation)
   * @param desiredShards what the load asks for this moment, before stabilization and the step limit
   * @param manualChange true when this decision found spec.shards changed by someone else (mode Auto)
   */
  public record Decision(int shards, int desiredShards, String reason, Memory memory, boolean manualChange) {}

  /**
   * Decides spec.shards. A change must be asked for without a break for its stabilization window (scale-up and
   * scale-down each have one, so a short spike adds no shard and a short dip removes none) and moves at most
   * {@code maxShardsPerStep} at once; a scale-down also waits until the last scaling is one scale-down window old.
   * In mode Auto ({@code applies}) a spec.shards the autoscaler did not write is a user's change: it is left alone
   * for the scale-down stabilization window, never reverted within it. In mode Recommend the recommendation moves
   * as Auto would move spec.shards, from the last recommendation, so it shows what Auto would do.
   *
   * @param specShards spec.shards now
   * @param applies whether the decision is written to spec.shards (mode Auto); false: a recommendation only
   * @param busy why spec.shards may not change now (a scale-down's drain in progress), or null
   */
  public static Decision decide(Policy policy, Load load, int specShards, Memory memory, boolean applies,
      String busy, Instant now) {
    Memory m = memory == null ? Memory.NONE : memory;
    Instant lastScale = m.lastScaleTime();
    Instant manual = m.manualChangeTime();
    Integer pending = m.pendingShards();
    Instant pendingSince = m.pendingSince();
    boolean manualNow = false;
    if (m.specShards() != null && m.specShards() != specShards) {
      lastScale = now;
      pending = null;
      pendingSince = null;
      if (applies) {
        manual = now;
        manualNow = true;
      }
    }
    if (lastScale == null) {
      lastScale = now; // unknown: a scale-down first waits one window, as after a scaling
    }
    int base = applies || m.recommendedShards() == null ? specShards : m.recommendedShards();
    Wanted wanted = wanted(policy, load);
    StringBuilder why = new StringBuilder(wanted.reason());
    int shards = base;
    Duration downWindow = Duration.ofSeconds(policy.scaleDownStabilizationSeconds());
    if (applies && manual != null && now.isBefore(manual.plus(downWindow))) {
      why.append("; spec.shards was set to ").append(specShards).append(" by hand at ").append(manual)
          .append(": Auto leaves it as it is until ").append(manual.plus(downWindow));
      pending = null;
      pendingSince = null;
    } else if (wanted.shards() == base) {
      pending = null;
      pendingSince = null;
    } else {
      boolean up = wanted.shards() > base;
      if (pending == null || pendingSince == null || (pending > base) != up) {
        pending = wanted.shards();
        pendingSince = now;
      } else {
        pending = up ? Math.min(pending, wanted.shards()) : Math.max(pending, wanted.shards());
      }
      Duration window = up ? Duration.ofSeconds(policy.scaleUpStabilizationSeconds()) : downWindow;
      Duration waited = Duration.between(pendingSince, now);
      if (!up) {
        Duration sinceScale = Duration.between(lastScale, now);
        waited = waited.compareTo(sinceScale) < 0 ? waited : sinceScale;
      }
      if (waited.compareTo(window) < 0) {
        why.append("; scale-").append(up ? "up" : "down").append(" to ").append(pending)
            .append(" held for stabilization (").append(waited.toSeconds()).append("s of ")
            .append(window.toSeconds()).append("s)");
      } else {
        int step = Math.max(1, policy.maxShardsPerStep());
        int target = up ? Math.min(pending, base + step) : Math.max(pending, base - step);
        if (target != pending) {
          why.append("; ").append(step).append(" shard(s) per step at most, towards ").append(pending);
        }
        if (applies && busy != null) {
          why.append("; waits: ").append(busy);
        } else {
          shards = target;
        }
      }
    }
    if (shards != base) {
      lastScale = now;
      pending = null;
      pendingSince = null;
    }
    Memory next = new Memory(applies ? shards : specShards, shards, lastScale, pending, pendingSince, manual);
    return new Decision(shards, wanted.shards(), why.toString(), next, manualNow);
  }

  /** The count the signals ask for within the bounds, and which signal decided. */
  private record Wanted(int shards, String reason) {}

  private static Wanted wanted(Policy policy, Load load) {
    long target = Math.max(1, policy.targetConnectionsPerShard());
    long connections = Math.max(0, load.connections());
    long byConnections = (connections + target - 1) / target;
    String connectionText = connections + " connections / " + target + " per shard = " + byConnections;
    long needed = byConnections;
    String why = "connections decide: " + connectionText;
    Double cpuTarget = policy.targetCpuUtilization();
    if (cpuTarget != null && cpuTarget > 0) {
      double cpu = Double.isFinite(load.cpu()) ? Math.max(0, load.cpu()) : 0;
      // A hair below the exact quotient: 2.1 CPUs at 0.7 per shard is 3 shards, not 4 from rounding noise.
      long byCpu = (long) Math.ceil(cpu / cpuTarget - 1e-9);
      String cpuText = String.format(Locale.ROOT, "CPU %.2f / %.2f per shard = %d", cpu, cpuTarget, byCpu);
      if (byCpu > byConnections) {
        needed = byCpu;
        why = "CPU decides: " + cpuText + " (" + connectionText + ")";
      } else {
        why += " (" + cpuText + ")";
      }
    }
    int bounded = (int) Math.max(policy.minShards(), Math.min(policy.maxShards(), needed));
    if (bounded != needed) {
      why += ", bounded to [" + policy.minShards() + ", " + policy.maxShards() + "]";
    }
    return new Wanted(bounded, why);
  }
}
