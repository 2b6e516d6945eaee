package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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
  void fullExampleMapsSpecAuthToTheShardsAuthEnvironment() {
    Map<String, String> env = ShardEnv.common(FULL);
    assertEquals("JWT", env.get("ODIN_WS_AUTH_MODE"));
    assertEquals("true", env.get("ODIN_WS_AUTH_ANONYMOUS"));
    assertEquals("/etc/odin-ws/auth/jwks.json", env.get("ODIN_WS_AUTH_KEY_FILE"));
    assertEquals("RS256,ES256", env.get("ODIN_WS_AUTH_ALGORITHMS"));
    assertEquals("https://auth.example.com", env.get("ODIN_WS_AUTH_ISSUER"));
    assertEquals("market-data", env.get("ODIN_WS_AUTH_AUDIENCE"));
    assertEquals("30", env.get("ODIN_WS_AUTH_CLOCK_SKEW_SECONDS"));
    assertEquals("30", env.get("ODIN_WS_AUTH_REFRESH_GRACE_SECONDS"));
    assertEquals("[{\"prefix\":\"public.\",\"access\":\"Public\"},{\"prefix\":\"quotes.\",\"access\":\"Authenticated\"},"
        + "{\"prefix\":\"orders\",\"access\":\"User\"},{\"prefix\":\"accounts.\",\"access\":\"Token\"}]",
        env.get("ODIN_WS_AUTH_CHANNELS"));
    assertEquals("https://trade.example.com,https://*.example.com", env.get("ODIN_WS_ALLOWED_ORIGINS"));
    assertEquals("/etc/odin-ws/management/token", env.get("ODIN_WS_MANAGEMENT_TOKEN_FILE"));
  }

  @Test
  void withoutSpecAuthTheShardsAreOpenAndNoAuthVariableButTheModeIsSet() {
    WsCluster open = WsClusterYaml.load(CrdFiles.examples().resolve("wscluster-local.yaml"));
    Map<String, String> env = ShardEnv.common(open);
    assertEquals("None", env.get("ODIN_WS_AUTH_MODE"));
    assertFalse(env.keySet().stream().anyMatch(k -> k.startsWith("ODIN_WS_AUTH_") && !k.equals("ODIN_WS_AUTH_MODE")));
    assertFalse(env.containsKey("ODIN_WS_ALLOWED_ORIGINS"));
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
  void theJavaLauncherReadsTheFlagsFileAsLocalModeDoes() throws Exception {
    // The image's entry point hands the file to java itself (java @/opt/odin-ws/jvm.args): a child JVM given the
    // same file must end up with exactly the flags local mode passes one by one.
    Path file = Path.of(ShardEnv.class.getResource(ShardEnv.JVM_FLAGS_RESOURCE).toURI());
    Path javaBinary = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(javaBinary.toString(), "@" + file, "-cp", System.getProperty("java.class.path"),
        PrintJvmArguments.class.getName()).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, child.waitFor(), out);
    assertEquals(ShardEnv.jvmFlags(Runtime.version()),
        out.lines().filter(l -> !l.startsWith("-Djava.class.path=")).toList(), out);
  }

  @Test
  void theFlagsFileHoldsTheMemoryFlagsAndNoCommentText() {
    List<String> flags = ShardEnv.jvmFlagsFile();
    assertTrue(flags.containsAll(List.of("-XX:+UseSerialGC", "-XX:MaxNewSize=11m", "-XX:TieredStopAtLevel=1",
        "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:TrimNativeHeapInterval=5000",
        "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.jfr.enabled=false")), flags.toString());
    assertTrue(flags.stream().allMatch(f -> f.startsWith("-XX:") || f.startsWith("-D")), flags.toString());
  }

  @Test
  void nativeHeapTrimIsPassedOnlyToRuntimesThatKnowTheFlag() {
    // an unknown -XX flag stops the JVM at start, so an older 17 must not get it
    String trim = "-XX:TrimNativeHeapInterval=5000";
    assertFalse(ShardEnv.jvmFlags(Runtime.Version.parse("17.0.8")).contains(trim));
    assertFalse(ShardEnv.jvmFlags(Runtime.Version.parse("20.0.2")).contains(trim));
    assertTrue(ShardEnv.jvmFlags(Runtime.Version.parse("17.0.9")).contains(trim));
    assertFalse(ShardEnv.jvmFlags(Runtime.Version.parse("21")).contains(trim));
    assertTrue(ShardEnv.jvmFlags(Runtime.Version.parse("21.0.5")).contains(trim));
    List<String> old = new java.util.ArrayList<>(ShardEnv.jvmFlagsFile());
    old.remove(trim);
    assertEquals(old, ShardEnv.jvmFlags(Runtime.Version.parse("17.0.8")));
  }

  @Test
  void argumentFileCommentsAndBlankLinesAreSkippedAndQuotesRefused() {
    assertEquals(List.of("-XX:A=1", "-XX:B=2", "-XX:C"),
        ShardEnv.parseArgumentFile("# why\n\n-XX:A=1   -XX:B=2 # both\n\t-XX:C\n", "f"));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ShardEnv.parseArgumentFile("-Dx=\"a b\"\n", "shard-image/jvm.args"));
    assertEquals("shard-image/jvm.args: quotes and backslashes are not supported, got -Dx=\"a", e.getMessage());
  }
}
