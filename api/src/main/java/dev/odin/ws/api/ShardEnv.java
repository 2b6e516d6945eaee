package dev.odin.ws.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code ODIN_WS_*} environment of a shard (docs/shard-server.md), rendered from a WsCluster: the single
 * mapping used by the operator's StatefulSet and by local mode.
 */
public final class ShardEnv {
  /**
   * JVM flags every shard runs with (the image's entrypoint and local mode): after a collection the heap is
   * given back down to 10–20% above what is live, so an idle connection costs about its live bytes rather than
   * G1's default headroom of up to 70% (docs/BENCHMARKS.md, bench 1).
   */
  public static final java.util.List<String> JVM_MEMORY_FLAGS =
      java.util.List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20");

  /**
   * Every 5 s the JVM gives back to the OS the memory its own native allocations have freed, above all the JIT
   * compiler's arenas (about 12 MB after a burst of compiling, bench 1's NMT), which glibc otherwise keeps
   * resident: without it a shard's RSS depends on whether the compiler was busy lately. JDK 17.0.9, 21.0.1, 22
   * and later.
   */
  public static final String NATIVE_HEAP_TRIM_FLAG = "-XX:TrimNativeHeapInterval=5000";

  /** {@link #JVM_MEMORY_FLAGS}, and {@link #NATIVE_HEAP_TRIM_FLAG} when {@code runtime} knows it. */
  public static java.util.List<String> jvmMemoryFlags(Runtime.Version runtime) {
    int feature = runtime.feature();
    boolean trims = feature >= 22 || feature == 21 && runtime.update() >= 1 || feature == 17 && runtime.update() >= 9;
    return trims ? java.util.stream.Stream.concat(JVM_MEMORY_FLAGS.stream(),
        java.util.stream.Stream.of(NATIVE_HEAP_TRIM_FLAG)).toList() : JVM_MEMORY_FLAGS;
  }

  public static final String CLUSTER = "ODIN_WS_CLUSTER";
  public static final String SHARD_INDEX = "ODIN_WS_SHARD_INDEX";
  public static final String KAFKA_BOOTSTRAP_SERVERS = "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS";
  public static final String KAFKA_TOPICS = "ODIN_WS_KAFKA_TOPICS";
  public static final String KAFKA_CONSUMER_GROUP_PREFIX = "ODIN_WS_KAFKA_CONSUMER_GROUP_PREFIX";
  public static final String KAFKA_PROPERTIES_FILE = "ODIN_WS_KAFKA_PROPERTIES_FILE";
  public static final String PORT = "ODIN_WS_PORT";
  public static final String MANAGEMENT_PORT = "ODIN_WS_MANAGEMENT_PORT";
  public static final String MAX_CONNECTIONS = "ODIN_WS_MAX_CONNECTIONS";
  public static final String DRAIN_SECONDS = "ODIN_WS_DRAIN_SECONDS";

  /** Where the operator mounts {@code kafka.secretRef} in a shard pod. */
  public static final String KAFKA_PROPERTIES_DIR = "/etc/odin-ws/kafka";

  public static final int WS_PORT = 8080;
  public static final int ADMIN_PORT = 9090;

  private ShardEnv() {}

  /**
   * Everything but the shard index, in a stable order. In Kubernetes the index comes from the pod; local mode uses
   * {@link #forShard}.
   */
  public static Map<String, String> common(WsCluster cr) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(CLUSTER, cr.getMetadata().getName());
    env.put(KAFKA_BOOTSTRAP_SERVERS, cr.getSpec().getKafka().getBootstrapServers());
    env.put(KAFKA_TOPICS, topics(cr));
    env.put(KAFKA_CONSUMER_GROUP_PREFIX, WsClusterDefaults.consumerGroupPrefix(cr));
    WsClusterDefaults.secretRef(cr)
        .ifPresent(ref -> env.put(KAFKA_PROPERTIES_FILE, KAFKA_PROPERTIES_DIR + "/" + WsClusterDefaults.secretKey(ref)));
    env.put(PORT, Integer.toString(WS_PORT));
    env.put(MANAGEMENT_PORT, Integer.toString(ADMIN_PORT));
    WsClusterDefaults.maxConnectionsPerShard(cr).ifPresent(n -> env.put(MAX_CONNECTIONS, Integer.toString(n)));
    env.put(DRAIN_SECONDS, Integer.toString(WsClusterDefaults.drainSeconds(cr)));
    return env;
  }

  /** The full environment of shard {@code index}. */
  public static Map<String, String> forShard(WsCluster cr, int index) {
    Map<String, String> env = common(cr);
    env.put(SHARD_INDEX, Integer.toString(index));
    return env;
  }

  /** {@code topic=channelTemplate,...}, the format of {@value #KAFKA_TOPICS}. */
  public static String topics(WsCluster cr) {
    return WsClusterDefaults.topics(cr).stream()
        .map(t -> t.getName() + "=" + WsClusterDefaults.channel(t))
        .collect(Collectors.joining(","));
  }
}
