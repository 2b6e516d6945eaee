package dev.odin.ws.local;

import static dev.odin.ws.local.TestClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three shard processes behind the balancer: clients spread evenly, and every record reaches every subscriber. */
class BalancedFanOutE2E {
  private static final int CLIENTS = 600;
  private static final int RECORDS = 50;

  @Test
  @Timeout(240)
  void sixHundredClientsSpreadEvenlyAndEachReceivesEveryRecordInOrder(@TempDir Path dir) {
    Path yaml = TestClusters.writeYaml(dir.resolve("wscluster.yaml"), "fanout", 3, 2);
    try (LocalCluster cluster = TestClusters.start(yaml, dir.resolve("state"), Console.create());
        WsClients clients = new WsClients()) {
      List<ShardView> shards = TestClusters.awaitReady(cluster, 3);

      List<WsClient> connected = clients.connectMany(WsClients.uri(cluster.port()), CLIENTS, 50);
      for (ShardView shard : shards) {
        assertThat(TestClusters.stats(shard).connections()).as("clients on shard %d", shard.index())
            .isBetween(180L, 220L);
      }

      connected.forEach(c -> c.sendSubscribe("prices"));
      await(Duration.ofSeconds(60)).until(() -> connected.stream().allMatch(c -> !c.messages("subscribed").isEmpty()));
      try (KafkaProducer<String, String> producer = Shards.producer(cluster.bootstrapServers())) {
        for (int i = 0; i < RECORDS; i++) {
          producer.send(new ProducerRecord<>(TestClusters.TOPIC, "prices", "{\"seq\":" + i + "}"));
        }
      }
      await(Duration.ofSeconds(90)).until(() -> connected.stream().allMatch(c -> c.messages("message").size() >= RECORDS));
      List<Integer> expected = IntStream.range(0, RECORDS).boxed().toList();
      for (WsClient client : connected) {
        assertThat(client.messages("message")).extracting(m -> m.path("data").path("seq").asInt())
            .as("records in publishing order, each once").isEqualTo(expected);
        assertThat(client.messages("message")).extracting(m -> m.path("channel").asText()).containsOnly("prices");
      }
    }
    TestClusters.assertNoProcessLeft();
  }
}
