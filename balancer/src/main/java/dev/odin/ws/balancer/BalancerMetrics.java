package dev.odin.ws.balancer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The balancer's own meters. Tags are the shard index and the rejection reason only, never anything about a
 * client, so the series count stays bounded by the number of shards.
 */
final class BalancerMetrics {

  private final MeterRegistry registry;
  private final Set<Integer> shards = ConcurrentHashMap.newKeySet();

  BalancerMetrics(MeterRegistry registry, String cluster) {
    this.registry = registry;
    registry.config().commonTags("cluster", cluster);
    // Registered up front so a dashboard sees a 0 series before the first rejection, not a gap.
    for (Rejection r : Rejection.values()) {
      rejectedCounter(r);
    }
  }

  MeterRegistry registry() {
    return registry;
  }

  /** Creates the per-shard meters the first time a shard index is seen; they stay for the process's life. */
  void registerShard(int index, BackendPool pool) {
    if (!shards.add(index)) {
      return;
    }
    String shard = Integer.toString(index);
    Gauge.builder("balancer.connections.active", pool, p -> p.activeConnections(index))
        .description("Connections this balancer holds open to the shard")
        .tag("shard", shard)
        .strongReference(true)
        .register(registry);
    Gauge.builder("balancer.backend.healthy", pool, p -> p.healthy(index) ? 1 : 0)
        .description("1 while the shard's /readyz answers 200 and it is in the backend list")
        .tag("shard", shard)
        .strongReference(true)
        .register(registry);
    connectionsCounter(index);
    healthChecksFailedCounter(index);
  }

  void connectionOpened(int index) {
    connectionsCounter(index).increment();
  }

  void rejected(Rejection reason) {
    rejectedCounter(reason).increment();
  }

  void healthCheckFailed(int index) {
    healthChecksFailedCounter(index).increment();
  }

  private Counter connectionsCounter(int index) {
    return Counter.builder("balancer.connections")
        .description("Connections proxied to the shard since start")
        .tag("shard", Integer.toString(index))
        .register(registry);
  }

  private Counter healthChecksFailedCounter(int index) {
    return Counter.builder("balancer.health.checks.failed")
        .description("Health checks of the shard that did not answer 200 (not ready, error or timeout)")
        .tag("shard", Integer.toString(index))
        .register(registry);
  }

  private Counter rejectedCounter(Rejection reason) {
    return Counter.builder("balancer.connections.rejected")
        .description("Client connections answered with an error instead of being proxied")
        .tag("reason", reason.tag())
        .register(registry);
  }
}
