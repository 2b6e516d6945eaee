package dev.odin.ws.local;

import static dev.odin.ws.local.TestClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Editing spec.shards in the file scales the running cluster, as editing the resource does in Kubernetes. Rebalancing
 * is off here, so the clients stay where the balancer put them (AutoscaleRampE2E proves rebalancing).
 */
class ScalingE2E {

  @Test
  @Timeout(300)
  void scaleUpTakesNewClientsAndScaleDownDrainsTheHighestShardsIntoTheOthers(@TempDir Path dir) {
    Path yaml = TestClusters.writeYamlWithoutRebalance(dir.resolve("wscluster.yaml"), "scaling", 3, 2);
    try (LocalCluster cluster = TestClusters.start(yaml, dir.resolve("state"), Console.create());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(cluster.bootstrapServers())) {
      TestClusters.awaitReady(cluster, 3);
      URI uri = WsClients.uri(cluster.port());
      List<WsClient> all = new ArrayList<>(clients.connectMany(uri, 150, 50));

      // 3 -> 4: the new shard becomes ready and, being the emptiest, takes the next new connections.
      TestClusters.writeYamlWithoutRebalance(yaml, "scaling", 4, 2);
      TestClusters.awaitReady(cluster, 4);
      all.addAll(clients.connectMany(uri, 20, 20));
      assertThat(TestClusters.stats(TestClusters.shard(cluster, 3)).connections()).isEqualTo(20);
      long[] pids = cluster.shards().stream().mapToLong(s -> s.endpoint().orElseThrow().pid()).toArray();
      all.forEach(c -> c.sendSubscribe("news"));
      await(Duration.ofSeconds(60)).until(() -> all.stream().allMatch(c -> c.messages("subscribed").size() == 1));
      producer.send(new ProducerRecord<>(TestClusters.TOPIC, "news", "{\"seq\":0}"));
      await(Duration.ofSeconds(60)).until(() -> all.stream().allMatch(c -> c.messages("message").size() == 1));

      // 4 -> 2: shards 3 and 2 close their clients with 1012; each reconnects through the balancer and
      // resumes from the last position it saw, as a client should.
      Map<WsClient, WsClient> reconnected = new ConcurrentHashMap<>();
      List<WsClient> drained = new CopyOnWriteArrayList<>();
      for (WsClient client : all) {
        client.closeCode().thenAccept(code -> {
          if (code == 1012) {
            drained.add(client);
            List<JsonNode> seen = client.messages("message");
            String last = seen.get(seen.size() - 1).path("position").asText();
            clients.connectWithRetries(uri, 5).thenAccept(again -> {
              again.sendAsync("{\"type\":\"subscribe\",\"channels\":[\"news\"],\"since\":{\"news\":\"" + last + "\"}}");
              reconnected.put(client, again);
            });
          }
        });
      }
      TestClusters.writeYamlWithoutRebalance(yaml, "scaling", 2, 2);
      producer.send(new ProducerRecord<>(TestClusters.TOPIC, "news", "{\"seq\":1}")); // while the drain runs

      await(Duration.ofSeconds(90)).until(() -> cluster.shards().size() == 2);
      // Shards 2 and 3 held 50 + 20 clients; shards 0 and 1 kept theirs.
      await(Duration.ofSeconds(60)).until(() -> reconnected.size() == 70
          && reconnected.values().stream().allMatch(c -> c.messages("subscribed").size() == 1));
      producer.send(new ProducerRecord<>(TestClusters.TOPIC, "news", "{\"seq\":2}"));
      await(Duration.ofSeconds(60)).until(() -> all.stream().allMatch(c -> seqs(c, reconnected.get(c)).size() == 3));
      for (WsClient client : all) {
        assertThat(seqs(client, reconnected.get(client)))
            .as("every record once, in order, across the drain").containsExactly(0, 1, 2);
      }
      assertThat(drained).hasSize(70);
      assertThat(reconnected.values()).allMatch(c -> c.messages("subscribed").get(0).path("recovered").path("news").asBoolean());
      assertThat(all).filteredOn(c -> !drained.contains(c)).allMatch(WsClient::isOpen);
      long remaining = cluster.shards().stream().mapToLong(s -> TestClusters.stats(s).connections()).sum();
      assertThat(remaining).as("every client ends on shards 0 and 1").isEqualTo(170);
      assertThat(ProcessHandle.of(pids[2]).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(ProcessHandle.of(pids[3]).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(TestClusters.children()).extracting(ProcessHandle::pid)
          .as("only the remaining shards run").containsExactlyInAnyOrder(pids[0], pids[1]);
    }
    TestClusters.assertNoProcessLeft();
  }

  /** The sequence numbers a client saw over its first connection and, if drained, its resumed one. */
  private static List<Integer> seqs(WsClient first, WsClient resumed) {
    List<Integer> seqs = new ArrayList<>();
    for (WsClient c : resumed == null ? List.of(first) : List.of(first, resumed)) {
      c.messages("message").forEach(m -> seqs.add(m.path("data").path("seq").asInt()));
    }
    return seqs;
  }
}
