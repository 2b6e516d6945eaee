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
      long killedPid = TestClusters.shard(cluster, 1).endpoint().orElseThrow().pid();

      ProcessHandle.of(killedPid).orElseThrow().destroyForcibly(); // SIGKILL: no drain, no goodbye

      await(Duration.ofSeconds(30)).until(() -> connected.stream().filter(c -> c.closeCode().isDone()).count() == 30);
      List<WsClient> cutOff = connected.stream().filter(c -> c.closeCode().isDone()).toList();
      List<WsClient> others = connected.stream().filter(c -> !c.closeCode().isDone()).toList();
      List<WsClient> rejoined = cutOff.stream().map(c -> clients.connect(uri)).toList();
      rejoined.forEach(c -> c.subscribe("news"));

      ShardView restarted = TestClusters.await(Duration.ofSeconds(120)).until(() -> TestClusters.shard(cluster, 1),
          s -> s.ready() && s.endpoint().map(e -> e.pid() != killedPid).orElse(false));
      assertThat(ProcessHandle.of(restarted.endpoint().orElseThrow().pid())).isPresent();

      producer.send(new ProducerRecord<>(TestClusters.TOPIC, "news", "{\"after\":\"restart\"}"));
      await(Duration.ofSeconds(60)).until(() -> others.stream().allMatch(c -> c.messages("message").size() == 1)
          && rejoined.stream().allMatch(c -> c.messages("message").size() == 1));
      assertThat(others).hasSize(60).allMatch(c -> c.isOpen() && !c.closeCode().isDone());
    }
    TestClusters.assertNoProcessLeft();
  }
}
