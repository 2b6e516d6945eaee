package dev.odin.ws.api;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Optional;

/**
 * The effective value of every optional spec field, with the defaults in one place. The API server applies the
 * CRD defaults too, but nothing that reads a WsCluster may rely on that (local mode has no API server).
 */
public final class WsClusterDefaults {
  public static final int SHARDS = 1;
  public static final int DRAIN_SECONDS = 30;
  public static final int BALANCER_REPLICAS = 2;
  public static final int BALANCER_PORT = 80;
  public static final String CHANNEL_TEMPLATE = "{key}";
  public static final String SECRET_KEY = "client.properties";
  public static final String AUTH_SECRET_KEY = "keys";
  public static final int MIN_SHARDS = 1;
  public static final int MAX_SHARDS = 10;
  public static final int TARGET_CONNECTIONS_PER_SHARD = 5000;
  public static final int SCALE_DOWN_STABILIZATION_SECONDS = 300;
  public static final int SCALE_UP_STABILIZATION_SECONDS = 30;
  public static final int MAX_SHARDS_PER_STEP = 4;
  /** Connections admitted per CPU of the shard's CPU limit (the shard's own default per available CPU). */
  public static final int CONNECTIONS_PER_CPU = 10_000;

  private WsClusterDefaults() {}

  public static int shards(WsCluster cr) {
    return orDefault(spec(cr).getShards(), SHARDS);
  }

  public static String consumerGroupPrefix(WsCluster cr) {
    String prefix = kafka(cr).getConsumerGroupPrefix();
    return prefix == null || prefix.isBlank() ? cr.getMetadata().getName() : prefix;
  }

  /** Shard {@code index}'s consumer group: {@code <prefix>-<index>}. */
  public static String consumerGroup(WsCluster cr, int index) {
    return consumerGroupPrefix(cr) + "-" + index;
  }

  public static String channel(TopicSpec topic) {
    return topic.getChannel() == null || topic.getChannel().isBlank() ? CHANNEL_TEMPLATE : topic.getChannel();
  }

  public static List<TopicSpec> topics(WsCluster cr) {
    return kafka(cr).getTopics() == null ? List.of() : kafka(cr).getTopics();
  }

  public static Optional<SecretKeyRef> secretRef(WsCluster cr) {
    return Optional.ofNullable(kafka(cr).getSecretRef());
  }

  public static String secretKey(SecretKeyRef ref) {
    return ref.getKey() == null || ref.getKey().isBlank() ? SECRET_KEY : ref.getKey();
  }

  public static int drainSeconds(WsCluster cr) {
    DrainSpec drain = spec(cr).getDrain();
    return drain == null ? DRAIN_SECONDS : orDefault(drain.getSeconds(), DRAIN_SECONDS);
  }

  public static BalancerSpec.Type balancerType(WsCluster cr) {
    BalancerSpec b = spec(cr).getBalancer();
    return b == null || b.getType() == null ? BalancerSpec.Type.Envoy : b.getType();
  }

  public static int balancerReplicas(WsCluster cr) {
    BalancerSpec b = spec(cr).getBalancer();
    return b == null ? BALANCER_REPLICAS : orDefault(b.getReplicas(), BALANCER_REPLICAS);
  }

  public static BalancerSpec.ServiceType balancerServiceType(WsCluster cr) {
    BalancerSpec b = spec(cr).getBalancer();
    return b == null || b.getServiceType() == null ? BalancerSpec.ServiceType.ClusterIP : b.getServiceType();
  }

  public static int balancerPort(WsCluster cr) {
    BalancerSpec b = spec(cr).getBalancer();
    return b == null ? BALANCER_PORT : orDefault(b.getPort(), BALANCER_PORT);
  }

  public static AutoscalingSpec.Mode autoscalingMode(WsCluster cr) {
    AutoscalingSpec a = spec(cr).getAutoscaling();
    return a == null || a.getMode() == null ? AutoscalingSpec.Mode.Off : a.getMode();
  }

  public static WsClusterSpec.Rebalance rebalance(WsCluster cr) {
    WsClusterSpec.Rebalance r = spec(cr).getRebalance();
    return r == null ? WsClusterSpec.Rebalance.Auto : r;
  }

  /** The rebalancer's pace for this cluster. */
  public static Rebalancer.Policy rebalancePolicy(WsCluster cr) {
    return Rebalancer.Policy.of(drainSeconds(cr));
  }

  /** The autoscaler's bounds and target with every default filled in. */
  public static Autoscaler.Policy autoscalingPolicy(WsCluster cr) {
    AutoscalingSpec a = Optional.ofNullable(spec(cr).getAutoscaling()).orElseGet(AutoscalingSpec::new);
    return new Autoscaler.Policy(
        orDefault(a.getMinShards(), MIN_SHARDS),
        orDefault(a.getMaxShards(), MAX_SHARDS),
        orDefault(a.getTargetConnectionsPerShard(), TARGET_CONNECTIONS_PER_SHARD),
        a.getTargetCpuUtilization(),
        orDefault(a.getScaleUpStabilizationSeconds(), SCALE_UP_STABILIZATION_SECONDS),
        orDefault(a.getScaleDownStabilizationSeconds(), SCALE_DOWN_STABILIZATION_SECONDS),
        orDefault(a.getMaxShardsPerStep(), MAX_SHARDS_PER_STEP));
  }

  public static boolean serviceMonitor(WsCluster cr) {
    MonitoringSpec m = spec(cr).getMonitoring();
    return m != null && Boolean.TRUE.equals(m.getServiceMonitor());
  }

  public static boolean dashboards(WsCluster cr) {
    MonitoringSpec m = spec(cr).getMonitoring();
    return m != null && Boolean.TRUE.equals(m.getDashboards());
  }

  /**
   * The admission limit: {@code maxConnectionsPerShard}, else {@value #CONNECTIONS_PER_CPU} per CPU of the CPU
   * limit, else empty (the shard then uses its own default).
   */
  public static Optional<Integer> maxConnectionsPerShard(WsCluster cr) {
    if (spec(cr).getMaxConnectionsPerShard() != null) {
      return Optional.of(spec(cr).getMaxConnectionsPerShard());
    }
    return cpuLimit(cr)
        .map(cpu -> cpu.multiply(BigDecimal.valueOf(CONNECTIONS_PER_CPU)).setScale(0, RoundingMode.UP))
        .map(n -> Math.max(1, n.intValue()));
  }

  /** The CPU limit in cores, if set. */
  public static Optional<BigDecimal> cpuLimit(WsCluster cr) {
    ResourceRequirements r = spec(cr).getResources();
    if (r == null || r.getLimits() == null || r.getLimits().get("cpu") == null) {
      return Optional.empty();
    }
    return Optional.of(Quantity.getAmountInBytes(r.getLimits().get("cpu")));
  }

  /** None without spec.auth; JWT when spec.auth says nothing else. */
  public static AuthSpec.Mode authMode(WsCluster cr) {
    AuthSpec auth = spec(cr).getAuth();
    if (auth == null) {
      return AuthSpec.Mode.None;
    }
    return auth.getMode() == null ? AuthSpec.Mode.JWT : auth.getMode();
  }

  /** The Secret key with the token verification keys, when mode is JWT and one is named. */
  public static Optional<KeySecretRef> authKeySecretRef(WsCluster cr) {
    AuthSpec auth = spec(cr).getAuth();
    if (authMode(cr) != AuthSpec.Mode.JWT || auth.getJwt() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(auth.getJwt().getKeySecretRef());
  }

  public static String authKey(KeySecretRef ref) {
    return ref.getKey() == null || ref.getKey().isBlank() ? AUTH_SECRET_KEY : ref.getKey();
  }

  public static boolean networkPolicy(WsCluster cr) {
    NetworkPolicySpec n = spec(cr).getNetworkPolicy();
    return n == null || n.getEnabled() == null || n.getEnabled();
  }

  public static Optional<String> monitoringNamespace(WsCluster cr) {
    NetworkPolicySpec n = spec(cr).getNetworkPolicy();
    return n == null || n.getMonitoringNamespace() == null || n.getMonitoringNamespace().isBlank()
        ? Optional.empty() : Optional.of(n.getMonitoringNamespace());
  }

  private static WsClusterSpec spec(WsCluster cr) {
    return cr.getSpec() == null ? new WsClusterSpec() : cr.getSpec();
  }

  private static KafkaSpec kafka(WsCluster cr) {
    return spec(cr).getKafka() == null ? new KafkaSpec() : spec(cr).getKafka();
  }

  private static int orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }
}
