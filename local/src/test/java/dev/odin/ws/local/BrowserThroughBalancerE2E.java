package dev.odin.ws.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.shard.testing.Browser;
import dev.odin.ws.shard.testing.Shards;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless Chromium through the local balancer to a shard process, as a browser uses `./odin-ws local`: the
 * upgrade, masked frames both ways, and a close code relayed intact (not turned into 1006 by a reset).
 */
class BrowserThroughBalancerE2E {
  private static final Duration STEP = Duration.ofSeconds(60);

  @Test
  @Timeout(240)
  void chromiumThroughTheBalancerReceivesARecordAndSeesTheShards1009(@TempDir Path dir) throws Exception {
    Path yaml = TestClusters.writeYaml(dir.resolve("wscluster.yaml"), "browser", 2, 2);
    try (LocalCluster cluster = TestClusters.start(yaml, dir.resolve("state"), Console.create())) {
      TestClusters.awaitReady(cluster, 2);
      try (Browser browser = Browser.open(cluster.port());
          KafkaProducer<String, String> producer = Shards.producer(cluster.bootstrapServers())) {
        assertThat(browser.next("subscribed", STEP).path("channels").toString()).isEqualTo("[\"browser\"]");
        Shards.sendAndWait(producer, new ProducerRecord<>(TestClusters.TOPIC, "browser", "{\"n\":7}"));
        JsonNode message = browser.next("message", STEP);
        assertThat(message.path("channel").asText()).isEqualTo("browser");
        assertThat(message.path("data").path("n").asInt()).isEqualTo(7);
        assertThat(browser.next("pong", STEP).path("id").asText()).isEqualTo("é".repeat(300));
        assertThat(browser.next("close", STEP).path("code").asInt()).as("what the browser's onclose sees")
            .isEqualTo(1009);
      }
    }
    TestClusters.assertNoProcessLeft();
  }
}
