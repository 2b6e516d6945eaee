package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real broker, real shards, real WebSocket clients: who gets which record, in what order. */
class FanOutDeliveryIT {
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  @Test
  void everyRecordReachesExactlyTheSubscribersOfItsChannelInOrderOnce() throws Exception {
    kafka.createTopics(3, "prices");
    String[] channels = {"BTC", "ETH", "SOL", "ADA"};
    int clientCount = 1000;
    int recordsPerChannel = 50;
    try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "c1", 0, "prices", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
      Shards.awaitReady(shard);
      List<WsClient> connected = clients.connectMany(WsClients.uri(shard.wsPort()), clientCount, 100);
      // Client i subscribes to channel i % 5; the fifth group subscribes to nothing.
      Map<WsClient, String> subscription = new HashMap<>();
      for (int i = 0; i < connected.size(); i++) {
        if (i % 5 < channels.length) {
          connected.get(i).sendSubscribe(channels[i % 5]);
          subscription.put(connected.get(i), channels[i % 5]);
        }
      }
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> subscription.keySet().stream().allMatch(c -> c.messages("subscribed").size() == 1));
      for (int seq = 0; seq < recordsPerChannel; seq++) {
        for (String channel : channels) {
          producer.send(new ProducerRecord<>("prices", channel, "{\"seq\":" + seq + ",\"ch\":\"" + channel + "\"}"));
        }
      }
      producer.flush();

      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> subscription.keySet().stream().allMatch(c -> c.messages("message").size() >= recordsPerChannel));
      for (WsClient client : connected) {
        String channel = subscription.get(client);
        List<JsonNode> received = client.messages("message");
        if (channel == null) {
          assertThat(received).as("a client with no subscription").isEmpty();
          continue;
        }
        assertThat(received).hasSize(recordsPerChannel);
        List<Integer> sequence = new ArrayList<>();
        for (JsonNode message : received) {
          assertThat(message.path("channel").asText()).isEqualTo(channel);
          assertThat(message.path("data").path("ch").asText()).isEqualTo(channel);
          assertThat(message.path("position").asText()).matches("[A-Za-z0-9_-]{22}:\\d+:\\d+");
          assertThat(message.path("ts").asLong()).isPositive();
          sequence.add(message.path("data").path("seq").asInt());
        }
        assertThat(sequence).as("Kafka order, each record once").isEqualTo(
            java.util.stream.IntStream.range(0, recordsPerChannel).boxed().collect(Collectors.toList()));
      }
      assertThat(Shards.metric(shard, "ws_messages_delivered_total", null))
          .isEqualTo((double) subscription.size() * recordsPerChannel);
      assertThat(Shards.metric(shard, "ws_connections_active", "cluster=\"c1\"")).isEqualTo(clientCount);
    }
  }

  @Test
  void twoShardsEachReceiveEveryRecordThroughTheirOwnConsumerGroup() throws Exception {
    kafka.createTopics(2, "news");
    try (ShardServer shard0 = Shards.start(kafka.bootstrapServers(), "c2", 0, "news={topic}", Map.of());
        ShardServer shard1 = Shards.start(kafka.bootstrapServers(), "c2", 1, "news={topic}", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers());
        Admin admin = kafka.admin()) {
      Shards.awaitReady(shard0);
      Shards.awaitReady(shard1);
      WsClient on0 = clients.connect(WsClients.uri(shard0.wsPort()));
      WsClient on1 = clients.connect(WsClients.uri(shard1.wsPort()));
      on0.subscribe("news");
      on1.subscribe("news");
      for (int i = 0; i < 20; i++) {
        producer.send(new ProducerRecord<>("news", "k" + i, "plain text " + i));
      }
      producer.flush();
      for (WsClient client : List.of(on0, on1)) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> client.messages("message").size() == 20);
        assertThat(client.messages("message").get(0).path("data").isTextual()).as("non-JSON value as a string").isTrue();
      }
      Set<String> groups = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
          .map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
      assertThat(groups).contains("c2-0", "c2-1");
      for (String group : List.of("c2-0", "c2-1")) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
          assertThat(committed).as("group %s consumed all 20 records itself", group).isEqualTo(20);
        });
      }
    }
  }
}
