package dev.odin.ws.local;

import dev.odin.ws.api.ScaleDownPlan;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.balancer.Backend;
import dev.odin.ws.balancer.BackendStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The shard processes, indexed 0..n-1 like a StatefulSet's pods, and the balancer's backend list that follows
 * them: scale up by starting the next indices, scale down by draining the highest ones.
 */
final class ShardSet {
  private final WsCluster cr;
  private final String bootstrapServers;
  private final LocalOptions options;
  private final Path runDir;
  private final ScheduledExecutorService scheduler;
  private final PrintStream out;
  private final Consumer<List<Backend>> backends;
  private final Drainer drainer;
  private final LocalAuth auth;
  private final TreeMap<Integer, ShardSupervisor> shards = new TreeMap<>();
  private final Object backendLock = new Object();
  private boolean closed;

  ShardSet(WsCluster cr, String bootstrapServers, LocalOptions options, Path runDir,
      ScheduledExecutorService scheduler, PrintStream out, Consumer<List<Backend>> backends, LocalAuth auth) {
    this.auth = auth;
    this.cr = cr;
    this.bootstrapServers = bootstrapServers;
    this.options = options;
    this.runDir = runDir;
    this.scheduler = scheduler;
    this.out = out;
    this.backends = backends;
    this.drainer = new Drainer(out, auth.managementToken());
    ShardSupervisor.prepare(runDir);
  }

  /** Blocks through a scale-down's drain; the caller runs one scaling at a time. */
  void scaleTo(int desired) throws InterruptedException {
    int current;
    synchronized (this) {
      current = shards.size();
    }
    if (desired > current) {
      scaleUp(current, desired);
    } else if (desired < current) {
      scaleDown(current, desired);
    }
  }

  private void scaleUp(int current, int desired) {
    out.println("odin-ws local: scaling " + current + " -> " + desired + " shards");
    for (int i = current; i < desired; i++) {
      ShardSupervisor shard =
          new ShardSupervisor(i, cr, bootstrapServers, options, runDir, scheduler, out, this::updateBackends,
              auth.env());
      synchronized (this) {
        shards.put(i, shard);
      }
      shard.start();
    }
  }

  private void scaleDown(int current, int desired) throws InterruptedException {
    List<Integer> plan = ScaleDownPlan.shardsToDrain(current, desired);
    int drainSeconds = WsClusterDefaults.drainSeconds(cr);
    out.println("odin-ws local: scaling " + current + " -> " + desired + " shards: draining shard(s) " + plan
        + " (clients get 1012 over " + drainSeconds + " s and reconnect through the balancer)");
    List<ShardSupervisor> leaving = new ArrayList<>();
    synchronized (this) {
      plan.forEach(i -> leaving.add(shards.get(i)));
    }
    leaving.forEach(ShardSupervisor::beginStop);
    updateBackends();
    drainer.drainAndStop(leaving, Duration.ofSeconds(drainSeconds));
    synchronized (this) {
      plan.forEach(shards::remove);
    }
    updateBackends();
    out.println("odin-ws local: shard(s) " + plan + " drained and stopped");
  }

  /**
   * Drains shard {@code index} and starts it again, as a rollout replaces one pod: it leaves the balancer, its
   * clients get 1012 over the drain window and reconnect to the others, then it is stopped and started anew.
   * Blocks through the drain; the caller runs one change at a time. False when there is no such running shard.
   */
  boolean restart(int index) throws InterruptedException {
    ShardSupervisor shard;
    synchronized (this) {
      shard = shards.get(index);
    }
    if (shard == null || shard.stopping()) {
      return false;
    }
    int drainSeconds = WsClusterDefaults.drainSeconds(cr);
    out.println("odin-ws local: restarting shard " + index + ": draining it (clients get 1012 over " + drainSeconds
        + " s and reconnect through the balancer)");
    shard.beginStop();
    updateBackends();
    drainer.drainAndStop(List.of(shard), Duration.ofSeconds(drainSeconds));
    synchronized (this) {
      if (closed || shards.get(index) != shard) {
        return true;
      }
      shard.resume();
    }
    updateBackends();
    out.println("odin-ws local: shard " + index + " drained, stopped and started again");
    return true;
  }

  /** The balancer's backends: every shard that runs and is not on its way out. */
  private void updateBackends() {
    synchronized (backendLock) {
      List<Backend> list = new ArrayList<>();
      synchronized (this) {
        if (closed) {
          return;
        }
        for (ShardSupervisor shard : shards.values()) {
          if (!shard.stopping()) {
            shard.endpoint().ifPresent(e ->
                list.add(new Backend(shard.index(), "127.0.0.1", e.wsPort(), e.managementPort())));
          }
        }
      }
      backends.accept(list);
    }
  }

  /** Every shard, lowest index first, including ones being drained, as {@code balancer} sees them. */
  List<ShardView> views(List<BackendStatus> balancer) {
    List<ShardSupervisor> list;
    synchronized (this) {
      list = List.copyOf(shards.values());
    }
    return list.stream().map(s -> {
      int connections = balancer.stream().filter(b -> b.backend().index() == s.index())
          .mapToInt(BackendStatus::activeConnections).sum();
      boolean ready = balancer.stream()
          .anyMatch(b -> b.backend().index() == s.index() && !b.removed() && b.healthy());
      return new ShardView(s.index(), s.endpoint(), ready && s.endpoint().isPresent(), connections, s.stopping());
    }).toList();
  }

  /**
   * Takes every shard off the balancer (new clients get 503), then SIGTERMs them all at once, so they drain in
   * parallel, and waits for them.
   */
  void stopAll() {
    List<ShardSupervisor> all;
    synchronized (backendLock) {
      synchronized (this) {
        closed = true;
        all = List.copyOf(shards.values());
      }
      all.forEach(ShardSupervisor::beginStop);
      backends.accept(List.of());
    }
    all.forEach(ShardSupervisor::terminate);
    Duration grace = Duration.ofSeconds(WsClusterDefaults.drainSeconds(cr)).plus(Drainer.MARGIN);
    all.forEach(s -> s.awaitExit(grace));
  }

  /** Asks a shard to shed {@code count} clients (a rebalance). */
  void shed(ShardSupervisor.Endpoint endpoint, int count) throws java.io.IOException, InterruptedException {
    drainer.shed(endpoint, count);
  }
}
