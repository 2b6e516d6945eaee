package dev.odin.ws.operator;

import dev.odin.ws.api.WsCluster;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Per-WsCluster gauges: wscluster_shards_desired, wscluster_shards_ready, wscluster_autoscaler_recommended_shards. */
public final class ClusterGauges {
  private record Values(AtomicInteger desired, AtomicInteger ready, AtomicInteger recommended, List<Meter> meters) {}

  private final MeterRegistry registry;
  private final Map<ResourceID, Values> clusters = new ConcurrentHashMap<>();

  public ClusterGauges(MeterRegistry registry) {
    this.registry = registry;
  }

  /** {@code recommended} is -1 when autoscaling is off. */
  public void update(WsCluster cr, int desired, int ready, int recommended) {
    Values v = clusters.computeIfAbsent(ResourceID.fromResource(cr), id -> register(cr));
    v.desired().set(desired);
    v.ready().set(ready);
    v.recommended().set(recommended);
  }

  public void remove(ResourceID id) {
    Values v = clusters.remove(id);
    if (v != null) {
      v.meters().forEach(registry::remove);
    }
  }

  private Values register(WsCluster cr) {
    Tags tags = Tags.of("namespace", cr.getMetadata().getNamespace(), "wscluster", cr.getMetadata().getName());
    AtomicInteger desired = new AtomicInteger();
    AtomicInteger ready = new AtomicInteger();
    AtomicInteger recommended = new AtomicInteger(-1);
    List<Meter> meters = List.of(
        Gauge.builder("wscluster.shards.desired", desired, AtomicInteger::get)
            .description("spec.shards of the WsCluster").tags(tags).register(registry),
        Gauge.builder("wscluster.shards.ready", ready, AtomicInteger::get)
            .description("Ready shard pods").tags(tags).register(registry),
        Gauge.builder("wscluster.autoscaler.recommended.shards", recommended, AtomicInteger::get)
            .description("The autoscaler's recommendation; -1 when autoscaling is off").tags(tags)
            .register(registry));
    return new Values(desired, ready, recommended, meters);
  }
}
