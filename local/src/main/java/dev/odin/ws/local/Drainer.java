package dev.odin.ws.local;

import dev.odin.ws.api.ShardAdminClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Takes shards out of service as the operator does before a scale-down: {@code POST /drain} (readiness off,
 * clients closed with 1012 over the drain window, and they reconnect through the balancer to the others), wait
 * until the shards are empty or the window is over, then SIGTERM and wait for the processes.
 */
final class Drainer {
  /** Beyond the drain window: time for the last paced closes to complete and the process to exit. */
  static final Duration MARGIN = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(200);

  private final ShardAdminClient admin = new ShardAdminClient(Duration.ofSeconds(2));
  private final PrintStream out;
  private final String managementToken;

  Drainer(PrintStream out, String managementToken) {
    this.out = out;
    this.managementToken = managementToken;
  }

  /** Drains and stops {@code shards} in the given order; the caller has already taken them off the balancer. */
  void drainAndStop(List<ShardSupervisor> shards, Duration window) throws InterruptedException {
    for (ShardSupervisor shard : shards) {
      shard.endpoint().ifPresent(e -> post(shard.index(), e));
    }
    long deadline = System.nanoTime() + window.plus(MARGIN).toNanos();
    while (System.nanoTime() < deadline && !shards.stream().allMatch(this::empty)) {
      Thread.sleep(POLL.toMillis());
    }
    for (ShardSupervisor shard : shards) {
      shard.terminate();
    }
    for (ShardSupervisor shard : shards) {
      shard.awaitExit(window.plus(MARGIN));
    }
  }

  private void post(int index, ShardSupervisor.Endpoint endpoint) {
    try {
      admin.drain(base(endpoint), false, managementToken);
    } catch (IOException e) {
      out.println("odin-ws local: shard " + index + " did not accept /drain (" + e.getMessage()
          + "); stopping it with SIGTERM, which drains too");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Asks a shard to close {@code count} clients with 1012, paced (a rebalance), with the management token. */
  void shed(ShardSupervisor.Endpoint endpoint, int count) throws IOException, InterruptedException {
    admin.shed(base(endpoint), count, managementToken);
  }

  /** A shard that does not answer counts as empty: it has no clients to wait for. */
  private boolean empty(ShardSupervisor shard) {
    return shard.endpoint().map(e -> {
      try {
        return admin.stats(base(e)).connections() == 0;
      } catch (IOException ex) {
        return true;
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return true;
      }
    }).orElse(true);
  }

  static URI base(ShardSupervisor.Endpoint endpoint) {
    return URI.create("http://127.0.0.1:" + endpoint.managementPort());
  }
}
