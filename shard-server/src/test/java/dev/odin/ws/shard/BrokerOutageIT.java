package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The broker goes away and comes back: clients stay, readiness follows, delivery resumes. */
class BrokerOutageIT {
  @Test
  void aBrokerOutageDropsReadinessKeepsClientsAndDeliveryResumesWhenItReturns() {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        WsClients clients = new WsClients()) {
      kafka.createTopics(1, "o");
      try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "outage", 0, "o", Map.of())) {
        Shards.awaitReady(shard);
        WsClient client = clients.connect(WsClients.uri(shard.wsPort()));
        client.subscribe("x");
        try (KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
          Shards.sendAndWait(producer, new ProducerRecord<>("o", "x", "{\"n\":1}"));
        }
        client.awaitMessage(m -> m.path("data").path("n").asInt() == 1, Duration.ofSeconds(20));

        kafka.stop();
        Awaitility.await().atMost(Duration.ofSeconds(60))
            .until(() -> Shards.get(shard, "/readyz").statusCode() == 503);
        assertThat(Shards.get(shard, "/readyz").body()).contains("unreachable");
        assertThat(client.isOpen()).as("clients stay connected through the outage").isTrue();
        assertThat(Shards.metric(shard, "ws_kafka_consumer_lag_records", null)).isNotNaN();

        kafka.restart();
        Shards.awaitReady(shard);
        try (KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
          Shards.sendAndWait(producer, new ProducerRecord<>("o", "x", "{\"n\":2}"));
        }
        client.awaitMessage(m -> m.path("data").path("n").asInt() == 2, Duration.ofSeconds(60));
        assertThat(client.messages("message")).hasSize(2);
        assertThat(client.isOpen()).isTrue();
      }
    }
  }

  @Test
  void aShardWhoseBrokerIsGoneStopsWithoutWaitingKafkasThirtySecondCloseTimeout() {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      kafka.createTopics(1, "gone");
      ShardServer shard = Shards.start(kafka.bootstrapServers(), "gone", 0, "gone", Map.of());
      Shards.awaitReady(shard);
      kafka.stop();

      CompletableFuture<Void> stopped = CompletableFuture.runAsync(shard::close);
      // The consumer's close alone waits 30 s for a broker that is gone unless bounded (the shard bounds it at
      // 5 s), so a shard that waited for it would not be done by then.
      Awaitility.await().atMost(Duration.ofSeconds(25)).until(stopped::isDone);
      assertThat(stopped).isNotCompletedExceptionally();
    }
  }
}
