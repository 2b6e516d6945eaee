package dev.odin.ws.local;

import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How local mode runs shard {@code i} as an OS process: the JVM flags that stand in for the pod's resource
 * limits, and the same {@code ODIN_WS_*} environment the operator gives a pod, with local ports.
 */
record ShardCommand(List<String> command, Map<String, String> env) {
  /** Heap when the spec sets no memory: enough for a few thousand local clients. */
  static final long DEFAULT_HEAP_MIB = 256;

  /**
   * Kafka client settings of every local shard. A shard that was killed stays a member of its consumer group
   * until its session times out, and its restart is not ready before that: 10 s (the broker's minimum is 6 s)
   * instead of the default 45 s lets a crashed shard come back quickly.
   */
  static final String KAFKA_PROPERTIES = "session.timeout.ms=10000\nheartbeat.interval.ms=3000\n";

  static ShardCommand of(
      WsCluster cr, int index, String bootstrapServers, int wsPort, int managementPort, Path shardJar,
      Path watchdogJar, Path kafkaProperties, Map<String, String> authEnv) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    // A pod's CPU limit is what the JVM sizes its event loops and default capacity by; locally the flag says it.
    cpus(cr).ifPresent(n -> command.add("-XX:ActiveProcessorCount=" + n));
    command.add("-Xmx" + heapMib(cr) + "m");
    // The image's own flags (the -Xmx above overrides their heap percentage). The shards run on this JVM's own
    // runtime (javaBinary), so its version says which flags it takes.
    command.addAll(ShardEnv.jvmFlags(Runtime.version()));
    command.add("-javaagent:" + watchdogJar.toAbsolutePath());
    command.add("-jar");
    command.add(shardJar.toAbsolutePath().toString());

    Map<String, String> env = ShardEnv.forShard(cr, index);
    env.put(ShardEnv.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
    env.put(ShardEnv.PORT, Integer.toString(wsPort));
    env.put(ShardEnv.MANAGEMENT_PORT, Integer.toString(managementPort));
    env.put("ODIN_WS_BIND_ADDRESS", "127.0.0.1");
    // Replaces the Secret the operator would mount, which does not exist here; see docs/local-mode.md.
    env.put(ShardEnv.KAFKA_PROPERTIES_FILE, kafkaProperties.toAbsolutePath().toString());
    // The Secrets the operator would mount: the JWT key file, the management token (see LocalAuth).
    env.putAll(authEnv);
    return new ShardCommand(List.copyOf(command), Map.copyOf(env));
  }

  /** Whole CPUs of the CPU limit, rounded up: the JVM cannot use a fraction of a processor. */
  static Optional<Integer> cpus(WsCluster cr) {
    return WsClusterDefaults.cpuLimit(cr)
        .map(cpu -> Math.max(1, cpu.setScale(0, RoundingMode.UP).intValue()));
  }

  /** Half the memory limit (else the request): the rest is for Netty's direct buffers, threads and metaspace. */
  static long heapMib(WsCluster cr) {
    ResourceRequirements r = cr.getSpec().getResources();
    Quantity memory = null;
    if (r != null && r.getLimits() != null) {
      memory = r.getLimits().get("memory");
    }
    if (memory == null && r != null && r.getRequests() != null) {
      memory = r.getRequests().get("memory");
    }
    if (memory == null) {
      return DEFAULT_HEAP_MIB;
    }
    BigDecimal mib = Quantity.getAmountInBytes(memory).divide(BigDecimal.valueOf(2L * 1024 * 1024), RoundingMode.DOWN);
    return Math.max(64, mib.longValue());
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
