package dev.odin.ws.local;

import dev.odin.ws.api.AutoscalingSpec;
import dev.odin.ws.api.Autoscaler;
import dev.odin.ws.api.Rebalancer;
import dev.odin.ws.api.ShardAdminClient;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The operator's autoscaler and rebalancer for local mode, on the runner's control thread (one change at a time, like
 * a reconcile): every tick it reads every shard's /stats, lets the api's {@link Autoscaler} decide the shard count
 * (mode Auto scales the shard processes; an edit of spec.shards in the file is a manual change it leaves alone for
 * the window), and after a scale-up lets the api's {@link Rebalancer} ask shards above the mean to shed.
 */
final class LocalScaler implements Runnable {
  static final Duration INTERVAL = Duration.ofSeconds(1);

  /** What the scaler last decided, for the timeline and tests. */
  record Snapshot(Autoscaler.Decision decision, Rebalancer.Progress rebalance) {}

  private final WsCluster cr;
  private final ShardSet shards;
  private final Supplier<List<ShardView>> views;
  private final PrintStream out;
  private final ShardAdminClient admin = new ShardAdminClient(Duration.ofSeconds(2));
  private final AutoscalingSpec.Mode mode;
  private final boolean rebalance;
  private Autoscaler.Memory memory = Autoscaler.Memory.NONE;
  private Rebalancer.Progress progress;
  private int lastCount = -1;
  private int lastRecommended = -1;
  private volatile Snapshot snapshot = new Snapshot(null, null);

  LocalScaler(WsCluster cr, ShardSet shards, Supplier<List<ShardView>> views, PrintStream out) {
    this.cr = cr;
    this.shards = shards;
    this.views = views;
    this.out = out;
    this.mode = WsClusterDefaults.autoscalingMode(cr);
    this.rebalance = WsClusterDefaults.rebalance(cr) == WsClusterSpec.Rebalance.Auto;
  }

  /** Whether there is anything to run: autoscaling on, or rebalancing after scale-ups. */
  boolean enabled() {
    return mode != AutoscalingSpec.Mode.Off || rebalance;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  @Override
  public void run() {
    try {
      tick(Instant.now());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stopping: close() stops every shard itself
    } catch (RuntimeException e) {
      out.println("odin-ws local: autoscaler/rebalancer step failed: " + e);
    }
  }

  private void tick(Instant now) throws InterruptedException {
    List<ShardView> views = this.views.get();
    Map<Integer, Optional<ShardStats>> stats = read(views);
    int count = (int) views.stream().filter(v -> !v.stopping()).count();
    Autoscaler.Decision decision = null;
    if (mode != AutoscalingSpec.Mode.Off) {
      boolean auto = mode == AutoscalingSpec.Mode.Auto;
      String busy = views.stream().anyMatch(ShardView::stopping) ? "a shard is draining" : null;
      Autoscaler.Load load = Autoscaler.Load.of(stats.values().stream().flatMap(Optional::stream).toList());
      decision = Autoscaler.decide(WsClusterDefaults.autoscalingPolicy(cr), load, count, memory, auto, busy, now);
      memory = decision.memory();
      if (decision.manualChange()) {
        out.println("odin-ws local: autoscaler: spec.shards set to " + count + " in the file; Auto leaves it as it "
            + "is for " + WsClusterDefaults.autoscalingPolicy(cr).scaleDownStabilizationSeconds() + " s");
      }
      if (auto && decision.shards() != count) {
        out.println("odin-ws local: autoscaler: " + count + " -> " + decision.shards() + " shards: "
            + decision.reason());
        snapshot = new Snapshot(decision, progress);
        shards.scaleTo(decision.shards());
        views = this.views.get();
        stats = read(views);
        count = (int) views.stream().filter(v -> !v.stopping()).count();
      } else if (!auto && decision.shards() != lastRecommended) {
        out.println("odin-ws local: autoscaler recommends " + decision.shards() + " shards: " + decision.reason());
      }
      lastRecommended = decision.shards();
    }
    if (rebalance) {
      if (lastCount > 0 && count > lastCount) {
        progress = Rebalancer.begin(now);
        out.println("odin-ws local: rebalance: " + lastCount + " -> " + count + " shards; once the new shards are "
            + "ready, shards above the mean shed clients to them");
      }
      progress = rebalance(views, stats, now);
    }
    lastCount = count;
    snapshot = new Snapshot(decision, progress);
  }

  private Rebalancer.Progress rebalance(List<ShardView> views, Map<Integer, Optional<ShardStats>> stats,
      Instant now) {
    List<Rebalancer.Shard> list = new ArrayList<>();
    for (ShardView v : views) {
      if (!v.stopping()) {
        Optional<ShardStats> s = stats.getOrDefault(v.index(), Optional.empty());
        boolean ready = s.map(x -> x.ready() && !x.draining()).orElse(false);
        list.add(new Rebalancer.Shard(v.index(), s.map(ShardStats::connections).orElse(0L), ready));
      }
    }
    String busy = views.stream().anyMatch(ShardView::stopping) ? "a shard is draining" : null;
    Rebalancer.Round round = Rebalancer.step(WsClusterDefaults.rebalancePolicy(cr), progress, list, busy, now);
    round.shed().forEach((index, count) -> views.stream().filter(v -> v.index() == index).findFirst()
        .flatMap(ShardView::endpoint).ifPresent(e -> shed(index, e, count)));
    Rebalancer.Progress next = round.progress();
    boolean phaseChanged = next != null && (progress == null || next.phase() != progress.phase());
    if (!round.shed().isEmpty() || phaseChanged && next.phase() != Rebalancer.Phase.Waiting) {
      out.println("odin-ws local: rebalance: " + next.message()
          + (next.active() ? "" : " (" + next.rounds() + " round(s), " + next.shed() + " clients moved)"));
    }
    return next;
  }

  private void shed(int index, ShardSupervisor.Endpoint endpoint, int count) {
    try {
      shards.shed(endpoint, count);
    } catch (IOException e) {
      out.println("odin-ws local: rebalance: shard " + index + " did not accept /shed (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** /stats of every running shard; empty for one that does not answer (it is then not ready). */
  private Map<Integer, Optional<ShardStats>> read(List<ShardView> views) {
    Map<Integer, Optional<ShardStats>> out = new LinkedHashMap<>();
    for (ShardView v : views) {
      out.put(v.index(), v.endpoint().flatMap(e -> {
        try {
          return Optional.of(admin.stats(Drainer.base(e)));
        } catch (IOException ex) {
          return Optional.empty();
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }));
    }
    return out;
  }
}
