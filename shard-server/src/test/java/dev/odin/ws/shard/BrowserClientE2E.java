package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Browser;
import dev.odin.ws.shard.testing.Shards;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Chromium) against a shard: its WebSocket client's masked frames in all three length
 * forms, non-ASCII text, and the close code it sees for a message over the limit.
 */
class BrowserClientE2E {
  private static final Duration STEP = Duration.ofSeconds(60);

  @Test
  void chromiumSubscribesReceivesARecordGetsAPongForNonAsciiTextAndSees1009ForAnOversizedMessage() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      kafka.createTopics(1, "events");
      try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "browser", 0, "events",
              Map.of("ODIN_WS_MAX_FRAME_BYTES", "65536"));
          KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers());
          Browser browser = Browser.open(shard.wsPort())) {
        Shards.awaitReady(shard);
        assertThat(browser.next("subscribed", STEP).path("channels").toString()).isEqualTo("[\"browser\"]");

        Shards.sendAndWait(producer, new ProducerRecord<>("events", "browser", "{\"n\":42,\"text\":\"grüße\"}"));
        JsonNode message = browser.next("message", STEP);
        assertThat(message.path("channel").asText()).isEqualTo("browser");
        assertThat(message.path("data").path("n").asInt()).isEqualTo(42);
        assertThat(message.path("data").path("text").asText()).isEqualTo("grüße");
        assertThat(message.path("position").asText()).matches("[^:]+:0:\\d+");

        assertThat(browser.next("pong", STEP).path("id").asText()).isEqualTo("é".repeat(300));

        assertThat(browser.next("close", STEP).path("code").asInt()).as("what the browser's onclose sees")
            .isEqualTo(1009);
        assertThat(Shards.metric(shard, "ws_connections_closed_total", "reason=\"frame_too_big\"")).isEqualTo(1.0);
      }
    }
  }
}
