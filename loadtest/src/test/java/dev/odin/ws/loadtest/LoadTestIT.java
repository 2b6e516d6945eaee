package dev.odin.ws.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.ShardServer;
import dev.odin.ws.shard.config.ShardServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole generator against a real broker and an in-process shard: two forked workers, 100
 * connections over two channels, a paced publisher; every record reaches every subscriber, in order,
 * and the merged JSON summary says so.
 */
class LoadTestIT {
  private static EmbeddedKafkaBroker kafka;
  private static ShardServer shard;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
    // One topic per channel: each channel's offsets are then contiguous and a gap means a lost record.
    kafka.createTopics(1, "alpha", "beta");
    shard = ShardServer.start(ShardServerConfig.fromEnvironment(Map.of(
        "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "ODIN_WS_KAFKA_TOPICS", "alpha,beta",
        "ODIN_WS_SHARD_INDEX", "0",
        "ODIN_WS_BIND_ADDRESS", "127.0.0.1",
        "ODIN_WS_PORT", "0",
        "ODIN_WS_MANAGEMENT_PORT", "0",
        "ODIN_WS_IO_THREADS", "2",
        "ODIN_WS_DRAIN_SECONDS", "1")));
  }

  @AfterAll
  static void stop() {
    if (shard != null) {
      shard.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void countsEveryDeliveryAcrossWorkersAndWritesTheSummary(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("summary.json");
    String[] argv = {
        "--url=ws://127.0.0.1:" + shard.wsPort() + "/ws",
        "--connections=100",
        "--rate=500",
        "--workers=2",
        "--io-threads=1",
        "--channels=alpha,beta",
        "--ready-urls=http://127.0.0.1:" + shard.managementPort() + "/readyz",
        "--publish-bootstrap=" + kafka.bootstrapServers(),
        "--publish-topic={channel}",
        "--publish-rate=40",
        "--publish-seconds=1",
        "--warmup-seconds=0.5",
        "--server-pids=" + ProcessHandle.current().pid(),
        "--worker-java-opts=-Xmx128m",
        "--out=" + out};
    Map<String, Object> summary = new Coordinator(new Args(argv, Coordinator.FLAGS), System.err).run();

    JsonNode json = new ObjectMapper().readTree(Files.readString(out));
    assertThat(json.path("connections").path("subscribed").asLong()).isEqualTo(100);
    assertThat(json.path("connections").path("failed").asLong()).isZero();
    assertThat(json.path("workers").asInt()).isEqualTo(2);
    // 40 records (after 20 warm-up records, forgotten) over two channels, every connection subscribed
    // to both: 100 × 40 deliveries.
    assertThat(json.path("publisher").path("expectedDeliveries").asLong()).isEqualTo(4000);
    assertThat(json.path("messages").asLong()).isEqualTo(4000);
    assertThat(json.path("gaps").asLong()).isZero();
    assertThat(json.path("outOfOrder").asLong()).isZero();
    assertThat(json.path("duplicates").asLong()).isZero();
    assertThat(json.path("latencyMs").path("count").asLong()).isEqualTo(4000);
    for (String p : new String[] {"p50", "p90", "p99", "p99_9", "max"}) {
      assertThat(json.path("latencyMs").has(p)).as(p).isTrue();
    }
    assertThat(json.path("deliveriesPerSecond").asDouble()).isPositive();
    assertThat(json.path("server").path("cpuSeconds").asDouble()).isPositive();
    assertThat(json.has("failures")).isTrue();
    assertThat(summary.get("messages")).isEqualTo(4000L);
  }

  @Test
  void countsRefusedConnectionsByCause() throws Exception {
    String[] argv = {
        "--url=ws://127.0.0.1:1/ws",
        "--connections=20",
        "--rate=1000",
        "--io-threads=1",
        "--worker-java-opts=-Xmx128m"};
    Map<String, Object> summary = new Coordinator(new Args(argv, Coordinator.FLAGS), System.err).run();
    JsonNode json = new ObjectMapper().valueToTree(summary);
    assertThat(json.path("connections").path("opened").asLong()).isZero();
    assertThat(json.path("failures").path("refused").asLong()).isEqualTo(20);
  }
}
