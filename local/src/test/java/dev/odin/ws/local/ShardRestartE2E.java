package dev.odin.ws.local;

import static dev.odin.ws.local.TestClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A shard killed with SIGKILL is restarted, as a pod would be; only its own clients notice. */
class ShardRestartE2E {

  @Test
  @Timeout(240)
  void aKilledShardIsRestartedItsClientsReconnectAndTheOthersNeverNotice(@TempDir Path dir) {
    Path yaml = TestClusters.writeYaml(dir.resolve("wscluster.yaml"), "restart", 3, 2);
    try (LocalCluster cluster = TestClusters.start(yaml, dir.resolve("state"), Console.create());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(cluster.bootstrapServers())) {
      TestClusters.awaitReady(cluster, 3);
      URI uri = WsClients.uri(cluster.port());
      List<WsClient> connected = clients.connectMany(uri, 90, 30);
      connected.forEach(c -> c.subscribe("news"));
      producer.send(new ProducerRecord<>(TestClusters.TOPIC, "news", "{\"seq\":0}"));
      await(Duration.ofSeconds(60)).until(() -> connected.stream().allMatch(c -> c.messages("message").size() == 1));
      long killedPid = TestClusters.shard(cluster, 1).endpoint().orElseThrow().pid();

      ProcessHandle.of(killedPid).orElseThrow().destroyForcibly(); // SIGKILL: no drain, no goodbye

      await(Duration.ofSeconds(30)).until(() -> connected.stream().filter(c -> c.closeCode().isDone()).count() == 30);
      List<WsClient> cutOff = connected.stream().filter(c -> c.closeCode().isDone()).toList();
      List<WsClient> others = connected.stream().filter(c -> !c.closeCode().isDone()).toList();
      producer.send(new ProducerRecord<>(TestClusters.TOPIC, "news", "{\"seq\":1}")); // missed by the cut-off clients
      producer.flush();
      // Each cut-off client comes back through the balancer and resumes from the last position it saw.
      List<WsClient> rejoined = cutOff.stream().map(c -> {
        WsClient again = clients.connect(uri);
        String last = c.messages("message").get(0).path("position").asText();
        again.send("{\"type\":\"subscribe\",\"channels\":[\"news\"],\"since\":{\"news\":\"" + last + "\"}}");
        return again;
      }).toList();
      await(Duration.ofSeconds(60)).until(() -> rejoined.stream().allMatch(c -> c.messages("subscribed").size() == 1));
      assertThat(rejoined).allMatch(c -> c.messages("subscribed").get(0).path("recovered").path("news").asBoolean());

      ShardView restarted = TestClusters.await(Duration.ofSeconds(120)).until(() -> TestClusters.shard(cluster, 1),
          s -> s.ready() && s.endpoint().map(e -> e.pid() != killedPid).orElse(false));
      assertThat(ProcessHandle.of(restarted.endpoint().orElseThrow().pid())).isPresent();

      producer.send(new ProducerRecord<>(TestClusters.TOPIC, "news", "{\"seq\":2}"));
      await(Duration.ofSeconds(60)).until(() -> others.stream().allMatch(c -> c.messages("message").size() == 3)
          && rejoined.stream().allMatch(c -> c.messages("message").size() == 2));
      assertThat(others).hasSize(60).allMatch(c -> c.isOpen() && !c.closeCode().isDone());
      for (int i = 0; i < cutOff.size(); i++) {
        List<Integer> seen = new java.util.ArrayList<>();
        for (WsClient c : List.of(cutOff.get(i), rejoined.get(i))) {
          c.messages("message").forEach(m -> seen.add(m.path("data").path("seq").asInt()));
        }
        assertThat(seen).as("a resumed client lost nothing and saw nothing twice").containsExactly(0, 1, 2);
      }
    }
    TestClusters.assertNoProcessLeft();
  }
}
