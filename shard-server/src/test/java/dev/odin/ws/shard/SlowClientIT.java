package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A client that stops reading is cut off with 4008; everybody else keeps getting everything. */
class SlowClientIT {
  @Test
  void aClientThatStopsReadingIsClosedWith4008WhileFastClientsGetEveryRecordInOrder() throws Exception {
    int records = 3000;
    String payload = "{\"pad\":\"" + "p".repeat(1000) + "\",\"seq\":%d}";
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        WsClients clients = new WsClients()) {
      kafka.createTopics(1, "ticks");
      try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "slow", 0, "ticks", Map.of(
              "ODIN_WS_WRITE_BUFFER_HIGH_BYTES", "65536",
              "ODIN_WS_WRITE_BUFFER_LOW_BYTES", "32768"));
          KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
        Shards.awaitReady(shard);
        List<WsClient> fast = clients.connectMany(WsClients.uri(shard.wsPort()), 10, 10);
        fast.forEach(c -> c.subscribe("t"));
        WsClient slow = clients.connectAsync(WsClients.uri(shard.wsPort()), 4096).get(20, TimeUnit.SECONDS);
        slow.subscribe("t");
        slow.channel().config().setAutoRead(false);

        for (int seq = 0; seq < records; seq++) {
          producer.send(new ProducerRecord<>("ticks", "t", String.format(payload, seq)));
        }
        producer.flush();

        Awaitility.await().atMost(Duration.ofSeconds(60))
            .until(() -> Shards.metric(shard, "ws_slow_clients_disconnected_total", null) == 1.0);
        slow.channel().config().setAutoRead(true);
        assertThat(slow.closeCode().get(30, TimeUnit.SECONDS)).isEqualTo(4008);
        assertThat(slow.messages("message").size())
            .as("the slow client was cut off, not buffered without bound")
            .isLessThan(records);
        assertThat(Shards.metric(shard, "ws_messages_dropped_total", "reason=\"slow_client\"")).isPositive();

        for (WsClient client : fast) {
          Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> client.messages("message").size() == records);
          List<JsonNode> got = client.messages("message");
          for (int i = 0; i < records; i++) {
            assertThat(got.get(i).path("data").path("seq").asInt()).isEqualTo(i);
          }
          assertThat(client.isOpen()).isTrue();
        }
        assertThat(Shards.metric(shard, "ws_connections_closed_total", "reason=\"slow_client\"")).isEqualTo(1.0);
      }
    }
  }

  @Test
  void aClientThatPausesUntilTheKernelTakesOnlyPartOfAWriteStillGetsEveryRecordInOrderAfterwards() throws Exception {
    int records = 1000;
    String payload = "{\"pad\":\"" + "q".repeat(10_000) + "\",\"seq\":%d}";
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        WsClients clients = new WsClients()) {
      kafka.createTopics(1, "ticks");
      // A high water mark far above the 10 MB published: the client fills the kernel's buffers (writes are then
      // taken only in part, and the rest is queued) but is never cut off.
      try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "pause", 0, "ticks", Map.of(
              "ODIN_WS_WRITE_BUFFER_HIGH_BYTES", "67108864",
              "ODIN_WS_WRITE_BUFFER_LOW_BYTES", "33554432",
              "ODIN_WS_MAX_FRAME_BYTES", "65536"));
          KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
        Shards.awaitReady(shard);
        WsClient paused = clients.connectAsync(WsClients.uri(shard.wsPort()), 65536).get(20, TimeUnit.SECONDS);
        paused.subscribe("t");
        paused.channel().config().setAutoRead(false);
        for (int seq = 0; seq < records; seq++) {
          producer.send(new ProducerRecord<>("ticks", "t", String.format(payload, seq)));
        }
        producer.flush();
        Awaitility.await("the shard has handed every record to the connection").atMost(Duration.ofSeconds(60))
            .until(() -> Shards.metric(shard, "ws_messages_delivered_total", null) >= records);
        paused.channel().config().setAutoRead(true);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> paused.messages("message").size() == records);
        List<JsonNode> got = paused.messages("message");
        for (int i = 0; i < records; i++) {
          assertThat(got.get(i).path("data").path("seq").asInt()).isEqualTo(i);
        }
        assertThat(paused.isOpen()).isTrue();
        assertThat(Shards.metric(shard, "ws_slow_clients_disconnected_total", null)).isZero();
      }
    }
  }
}
