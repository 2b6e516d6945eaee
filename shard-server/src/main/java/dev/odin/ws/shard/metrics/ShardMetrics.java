package dev.odin.ws.shard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The shard's Prometheus meters (names of DESIGN.md §6). Every series carries {@code cluster} and
 * {@code shard}; no label ever carries a client, connection, channel or key value.
 */
public final class ShardMetrics {
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
    Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(175),
    Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
    Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
  };

  private final PrometheusMeterRegistry registry;
  private final Counter opened;
  private final Counter delivered;
  private final Counter slowClientsDisconnected;
  private final Timer deliveryLatency;
  private final Timer recordAge;
  private final Counter replayedRecords;
  private final Timer replayDuration;
  private final Map<String, Counter> closedByReason = new ConcurrentHashMap<>();
  private final Map<String, Counter> rejectedByReason = new ConcurrentHashMap<>();
  private final Map<String, Counter> droppedByReason = new ConcurrentHashMap<>();
  private final Map<String, Counter> consumedByTopic = new ConcurrentHashMap<>();
  private final Map<String, Counter> recoveryByOutcome = new ConcurrentHashMap<>();
  private final Map<String, Counter> authFailuresByReason = new ConcurrentHashMap<>();
  private final Map<String, Counter> refusedByReason = new ConcurrentHashMap<>();

  public ShardMetrics(String cluster, int shard) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("cluster", cluster, "shard", Integer.toString(shard));
    opened = Counter.builder("ws.connections.opened").description("WebSocket connections accepted").register(registry);
    delivered =
        Counter.builder("ws.messages.delivered")
            .description("Data frames handed to client sockets (one per record per subscriber)")
            .register(registry);
    slowClientsDisconnected =
        Counter.builder("ws.slow.clients.disconnected")
            .description("Clients closed with 4008 because their outbound buffer stayed full")
            .register(registry);
    deliveryLatency =
        Timer.builder("ws.delivery.latency")
            .description("Kafka record timestamp to frame handed to the sockets, per record and event loop")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    recordAge =
        Timer.builder("ws.kafka.record.age")
            .description("Kafka record timestamp to the shard's consumer receiving the record: the part of the delivery"
                + " latency spent before the shard")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    replayedRecords =
        Counter.builder("ws.replay.records").description("Records sent to resuming clients from Kafka").register(registry);
    replayDuration =
        Timer.builder("ws.replay.duration")
            .description("Time to read one partition's missed records for a batch of resume requests")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
    // Two allocators hold a shard's Netty memory: the pooled one the fan-out and replay frames are built in, and the
    // sockets' own (Netty 4.2's adaptive allocator by default) for reads, replies and control frames.
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider sockets
        && ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT) {
      new NettyAllocatorMetrics(sockets).bindTo(registry);
    }
    Gauge.builder("process.resident.memory", ShardMetrics::residentMemoryBytes)
        .description("Resident set size of this process")
        .baseUnit("bytes")
        .register(registry);
  }

  /** Registers the gauges that read the shard's live state. */
  public void bindState(
      Supplier<Number> connections,
      Supplier<Number> subscriptions,
      Supplier<Number> lag,
      Supplier<Number> draining,
      Supplier<Number> capacity) {
    Gauge.builder("ws.connections.active", connections).description("Open WebSocket connections").register(registry);
    Gauge.builder("ws.subscriptions.active", subscriptions).description("Channel subscriptions held").register(registry);
    Gauge.builder("ws.kafka.consumer.lag", lag)
        .description("Records in the fan-out topics not yet consumed by this shard")
        .baseUnit("records")
        .register(registry);
    Gauge.builder("ws.shard.draining", draining).description("1 while the shard drains").register(registry);
    Gauge.builder("ws.shard.capacity", capacity)
        .description("Connections this shard admits")
        .baseUnit("connections")
        .register(registry);
  }

  public String scrape() {
    return registry.scrape();
  }

  public void connectionOpened() {
    opened.increment();
  }

  public void connectionClosed(String reason) {
    closed(reason).increment();
  }

  public void connectionRejected(String reason) {
    rejected(reason).increment();
  }

  public void delivered(long count) {
    delivered.increment(count);
  }

  /** Data frames handed to client sockets since start. */
  public long deliveredTotal() {
    return (long) delivered.count();
  }

  public void dropped(String reason, long count) {
    dropped(reason).increment(count);
  }

  public void slowClientDisconnected() {
    slowClientsDisconnected.increment();
  }

  public void consumed(String topic, long count) {
    consumed(topic).increment(count);
  }

  public void recoveryRequest(String outcome) {
    recovery(outcome).increment();
  }

  public void replayed(long records) {
    replayedRecords.increment(records);
  }

  public void replayDuration(long nanos) {
    replayDuration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void recordAgeMillis(long millis) {
    recordAge.record(Duration.ofMillis(Math.max(0, millis)));
  }

  public void deliveryLatencyMillis(long millis) {
    deliveryLatency.record(Duration.ofMillis(Math.max(0, millis)));
  }

  public void authFailure(String reason) {
    authFailures(reason).increment();
  }

  public void subscriptionsRefused(String reason, long count) {
    refused(reason).increment(count);
  }

  /** Makes a labelled counter visible at zero before its first event, so dashboards and alerts see it. */
  public void declare(String kind, String label) {
    switch (kind) {
      case "closed" -> closed(label);
      case "rejected" -> rejected(label);
      case "dropped" -> dropped(label);
      case "consumed" -> consumed(label);
      case "recovery" -> recovery(label);
      case "auth_failure" -> authFailures(label);
      case "subscription_refused" -> refused(label);
      default -> throw new IllegalArgumentException(kind);
    }
  }

  private Counter closed(String reason) {
    return counter(closedByReason, "ws.connections.closed", "reason", reason, "WebSocket connections closed");
  }

  private Counter rejected(String reason) {
    return counter(rejectedByReason, "ws.connections.rejected", "reason", reason,
        "Connections refused before or during the upgrade");
  }

  private Counter dropped(String reason) {
    return counter(droppedByReason, "ws.messages.dropped", "reason", reason,
        "Records not delivered to a subscriber or channel");
  }

  private Counter consumed(String topic) {
    return counter(consumedByTopic, "ws.kafka.records.consumed", "topic", topic, "Records read from the fan-out topics");
  }

  private Counter recovery(String outcome) {
    return counter(recoveryByOutcome, "ws.recovery.requests", "outcome", outcome,
        "Subscriptions that asked to resume from a position");
  }

  private Counter authFailures(String reason) {
    return counter(authFailuresByReason, "ws.auth.failures", "reason", reason,
        "Connections refused or closed for authentication (token, Origin), and refreshes refused");
  }

  private Counter refused(String reason) {
    return counter(refusedByReason, "ws.subscriptions.refused", "reason", reason,
        "Channels of subscription requests refused with forbidden, and subscriptions revoked by a refresh");
  }

  private Counter counter(Map<String, Counter> cache, String name, String tag, String value, String help) {
    return cache.computeIfAbsent(
        value, v -> Counter.builder(name).description(help).tags(Tags.of(tag, v)).register(registry));
  }

  private static double residentMemoryBytes() {
    try {
      String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
      return Long.parseLong(statm[1]) * 4096.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
