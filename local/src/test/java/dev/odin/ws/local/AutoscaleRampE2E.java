package dev.odin.ws.local;

import static dev.odin.ws.local.TestClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.ws.api.Rebalancer;
import dev.odin.ws.loadtest.RampSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mode Auto in local mode under the load generator: 0 -> 4,000 clients make the shards rise to 4 and the rebalancer
 * moves clients onto the new shards until every shard is within 10% of the mean; down to 1,000 clients, the shards
 * fall back to 1 after the scale-down window. A publisher runs throughout, and every client that a rebalance or the
 * scale-down closed (1012) resumes with since: no record lost, none twice, none out of order.
 */
class AutoscaleRampE2E {
  private static final int DOWN_WINDOW_SECONDS = 20;

  @Test
  @Timeout(900)
  void shardsFollowTheLoadUpAndDownAndRebalancingMovesClientsWithoutLosingARecord(@TempDir Path dir)
      throws Exception {
    Path yaml = TestClusters.write(dir.resolve("wscluster.yaml"), """
        apiVersion: ws.odin.dev/v1alpha1
        kind: WsCluster
        metadata:
          name: ramp
        spec:
          shards: 1
          resources:
            limits:
              cpu: "1"
              memory: 512Mi
          kafka:
            bootstrapServers: embedded
            topics:
              - name: %s
          drain:
            seconds: 2
          autoscaling:
            mode: Auto
            minShards: 1
            maxShards: 6
            targetConnectionsPerShard: 1000
            scaleUpStabilizationSeconds: 5
            scaleDownStabilizationSeconds: %d
        """.formatted(TestClusters.TOPIC, DOWN_WINDOW_SECONDS));
    Path timeline = dir.resolve("timeline.jsonl");
    Console console = Console.create();
    try (LocalCluster cluster = TestClusters.start(yaml, dir.resolve("state"), console, Optional.of(timeline))) {
      TestClusters.awaitReady(cluster, 1);
      AtomicInteger mostShards = new AtomicInteger();
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          mostShards.accumulateAndGet(cluster.shards().size(), Math::max);
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "shard-count-sampler");
      sampler.setDaemon(true);
      sampler.start();
      Map<String, Object> summary;
      try (RampSession load = RampSession.start(System.err,
          "--url=ws://127.0.0.1:" + cluster.port() + "/ws",
          "--connections=4000", "--workers=2", "--rate=200", "--io-threads=1",
          "--channels=ticks", "--resume=true",
          "--publish-bootstrap=" + cluster.bootstrapServers(), "--publish-topic=" + TestClusters.TOPIC,
          "--publish-rate=5", "--worker-java-opts=-Xmx256m -XX:+UseSerialGC")) {
        load.startPublishing();
        load.rampTo(4000);

        // 4,000 clients at 1,000 per shard: 4 shards, every one Ready, and no more.
        TestClusters.awaitReady(cluster, 4);
        // The rebalancer moves clients onto the new shards until each is within 10% of the mean.
        await(Duration.ofSeconds(180)).ignoreExceptions().untilAsserted(() -> {
          List<Long> perShard = cluster.shards().stream().map(s -> TestClusters.stats(s).connections()).toList();
          assertThat(perShard.stream().mapToLong(Long::longValue).sum()).isEqualTo(4000);
          assertThat(perShard).allSatisfy(c -> assertThat(c).isBetween(900L, 1100L));
          assertThat(cluster.scaling().rebalance().phase()).isEqualTo(Rebalancer.Phase.Balanced);
        });
        assertThat(console.contains("odin-ws local: rebalance: round 1")).as("no rebalance round ran").isTrue();

        // Down to 1,000 clients: after the scale-down window, the shards fall back to 1.
        Instant dropped = Instant.now();
        load.rampTo(1000);
        await(Duration.ofSeconds(180)).until(() -> cluster.shards().size() == 1);
        assertThat(Duration.between(dropped, Instant.now()))
            .as("the shards fell back before the window").isGreaterThanOrEqualTo(Duration.ofSeconds(DOWN_WINDOW_SECONDS));
        TestClusters.awaitReady(cluster, 1);
        await(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> TestClusters.stats(cluster.shards().get(0)).connections() == 1000);
        summary = load.finish();
      } finally {
        sampler.interrupt();
      }
      assertThat(mostShards.get()).as("more shards than 4,000 clients at 1,000 per shard").isEqualTo(4);

      JsonNode json = new ObjectMapper().valueToTree(summary);
      assertThat(json.path("gaps").asLong()).as("records lost across a resume").isZero();
      assertThat(json.path("duplicates").asLong()).as("records received twice").isZero();
      assertThat(json.path("outOfOrder").asLong()).isZero();
      assertThat(json.path("errorReplies").asLong()).isZero();
      assertThat(json.path("connections").path("left").asLong()).isEqualTo(3000);
      assertThat(json.path("connections").path("openAtEnd").asLong()).isEqualTo(1000);
      // Every connection that ended early was closed with 1012 (a rebalance or the scale-down) and came back.
      JsonNode failures = json.path("failures");
      assertThat(failures.path("resumed_after_close_1012").asLong()).isPositive();
      assertThat(failures.size()).as(failures.toString()).isEqualTo(1);
      assertThat(json.path("publisher").path("records").asLong()).isPositive();
      assertThat(json.path("messages").asLong()).isPositive();
    }
    List<String> lines = Files.readAllLines(timeline);
    assertThat(lines).isNotEmpty();
    ObjectMapper mapper = new ObjectMapper();
    assertThat(lines.stream().map(l -> read(mapper, l)).mapToInt(n -> n.path("shards").size()).max().orElse(0))
        .isEqualTo(4);
    assertThat(lines.stream().map(l -> read(mapper, l))
        .anyMatch(n -> "Balanced".equals(n.path("rebalance").path("phase").asText()))).isTrue();
    TestClusters.assertNoProcessLeft();
  }

  private static JsonNode read(ObjectMapper mapper, String line) {
    try {
      return mapper.readTree(line);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
