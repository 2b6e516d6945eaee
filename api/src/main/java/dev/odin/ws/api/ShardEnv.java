package dev.odin.ws.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code ODIN_WS_*} environment of a shard (docs/shard-server.md), rendered from a WsCluster: the single
 * mapping used by the operator's StatefulSet and by local mode.
 */
public final class ShardEnv {
  /**
   * The shard's JVM flags, a JVM argument file on this module's classpath: the single source. The shard image
   * carries the same file as {@code /opt/odin-ws/jvm.args} and its entry point passes it to {@code java}; local
   * mode reads it through {@link #jvmFlags}. Each flag's reason is written beside it in the file.
   */
  public static final String JVM_FLAGS_RESOURCE = "shard-image/jvm.args";

  /** Known to JDK 17.0.9, 21.0.1, 22 and later only; an older JVM refuses to start with it. */
  static final String NATIVE_HEAP_TRIM_FLAG = "-XX:TrimNativeHeapInterval=";

  /** The flags of {@link #JVM_FLAGS_RESOURCE} that {@code runtime} accepts, in the file's order. */
  public static List<String> jvmFlags(Runtime.Version runtime) {
    int feature = runtime.feature();
    boolean trims = feature >= 22 || feature == 21 && runtime.update() >= 1 || feature == 17 && runtime.update() >= 9;
    return jvmFlagsFile().stream().filter(flag -> trims || !flag.startsWith(NATIVE_HEAP_TRIM_FLAG)).toList();
  }

  /** Every flag of {@link #JVM_FLAGS_RESOURCE}. */
  public static List<String> jvmFlagsFile() {
    try (InputStream in = ShardEnv.class.getResourceAsStream(JVM_FLAGS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(JVM_FLAGS_RESOURCE + " is missing from the classpath");
      }
      return parseArgumentFile(new String(in.readAllBytes(), StandardCharsets.UTF_8), JVM_FLAGS_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whitespace-separated arguments, {@code #} to the end of a line a comment, as the {@code java} launcher reads an
   * argument file. Quotes and backslashes, which the launcher would interpret, are refused rather than read
   * differently from it.
   */
  static List<String> parseArgumentFile(String text, String name) {
    List<String> args = new ArrayList<>();
    for (String line : text.split("\n")) {
      int comment = line.indexOf('#');
      String content = comment < 0 ? line : line.substring(0, comment);
      for (String arg : content.trim().split("\\s+")) {
        if (arg.isEmpty()) {
          continue;
        }
        if (arg.matches(".*[\"'\\\\].*")) {
          throw new IllegalArgumentException(name + ": quotes and backslashes are not supported, got " + arg);
        }
        args.add(arg);
      }
    }
    return List.copyOf(args);
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
