package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardEnvTest {
  private static final WsCluster FULL = WsClusterYaml.load(CrdFiles.examples().resolve("wscluster-full.yaml"));
  private static final WsCluster MINIMAL = WsClusterYaml.load(CrdFiles.examples().resolve("wscluster-minimal.yaml"));

  @Test
  void fullExampleMapsEveryShardRelevantField() {
    Map<String, String> env = ShardEnv.forShard(FULL, 3);
    assertEquals("market-data", env.get("ODIN_WS_CLUSTER"));
    assertEquals("3", env.get("ODIN_WS_SHARD_INDEX"));
    assertEquals("kafka-0.kafka:9093,kafka-1.kafka:9093,kafka-2.kafka:9093", env.get("ODIN_WS_KAFKA_BOOTSTRAP_SERVERS"));
    assertEquals("trades={key}.trade,quotes={topic}.{key}", env.get("ODIN_WS_KAFKA_TOPICS"));
    assertEquals("market-data-ws", env.get("ODIN_WS_KAFKA_CONSUMER_GROUP_PREFIX"));
    assertEquals("/etc/odin-ws/kafka/client.properties", env.get("ODIN_WS_KAFKA_PROPERTIES_FILE"));
    assertEquals("18000", env.get("ODIN_WS_MAX_CONNECTIONS"));
    assertEquals("60", env.get("ODIN_WS_DRAIN_SECONDS"));
    assertEquals("8080", env.get("ODIN_WS_PORT"));
    assertEquals("9090", env.get("ODIN_WS_MANAGEMENT_PORT"));
    assertEquals("market-data-ws-3", WsClusterDefaults.consumerGroup(FULL, 3));
  }

  @Test
  void minimalExampleUsesTheNameAsGroupPrefixAndTheKeyAsChannel() {
    Map<String, String> env = ShardEnv.common(MINIMAL);
    assertEquals("prices", env.get("ODIN_WS_KAFKA_CONSUMER_GROUP_PREFIX"));
    assertEquals("prices={key}", env.get("ODIN_WS_KAFKA_TOPICS"));
    assertEquals("30", env.get("ODIN_WS_DRAIN_SECONDS"));
    assertFalse(env.containsKey("ODIN_WS_SHARD_INDEX"));
    assertFalse(env.containsKey("ODIN_WS_MAX_CONNECTIONS"));
    assertFalse(env.containsKey("ODIN_WS_KAFKA_PROPERTIES_FILE"));
  }

  @Test
  void connectionLimitDefaultsToTenThousandPerCpuOfTheLimit() {
    WsCluster cr = WsClusterYaml.load(Path.of(CrdFiles.examples().toString(), "wscluster-minimal.yaml"));
    cr.getSpec().setResources(new ResourceRequirementsBuilder().addToLimits("cpu", new Quantity("1500m")).build());
    assertEquals("15000", ShardEnv.common(cr).get("ODIN_WS_MAX_CONNECTIONS"));
  }

  @Test
  void theShardImageRunsWithTheSameJvmMemoryFlagsAsLocalMode() throws Exception {
    String dockerfile = java.nio.file.Files.readString(CrdFiles.examples().getParent().resolve("shard-server/Dockerfile"));
    String entrypoint = dockerfile.lines().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
    // eclipse-temurin:17-jre is a current 17.0.x: it takes the native-heap trim
    for (String flag : ShardEnv.jvmMemoryFlags(Runtime.Version.parse("17.0.15"))) {
      org.junit.jupiter.api.Assertions.assertTrue(entrypoint.contains("\"" + flag + "\""), flag + " missing in " + entrypoint);
    }
  }

  @Test
  void nativeHeapTrimIsPassedOnlyToRuntimesThatKnowTheFlag() {
    // an unknown -XX flag stops the JVM at start, so an older 17 must not get it
    assertFalse(ShardEnv.jvmMemoryFlags(Runtime.Version.parse("17.0.8")).contains(ShardEnv.NATIVE_HEAP_TRIM_FLAG));
    assertFalse(ShardEnv.jvmMemoryFlags(Runtime.Version.parse("20.0.2")).contains(ShardEnv.NATIVE_HEAP_TRIM_FLAG));
    assertTrue(ShardEnv.jvmMemoryFlags(Runtime.Version.parse("17.0.9")).contains(ShardEnv.NATIVE_HEAP_TRIM_FLAG));
    assertFalse(ShardEnv.jvmMemoryFlags(Runtime.Version.parse("21")).contains(ShardEnv.NATIVE_HEAP_TRIM_FLAG));
    assertTrue(ShardEnv.jvmMemoryFlags(Runtime.Version.parse("21.0.5")).contains(ShardEnv.NATIVE_HEAP_TRIM_FLAG));
    assertTrue(ShardEnv.jvmMemoryFlags(Runtime.Version.parse("17.0.15")).containsAll(ShardEnv.JVM_MEMORY_FLAGS));
  }
}
