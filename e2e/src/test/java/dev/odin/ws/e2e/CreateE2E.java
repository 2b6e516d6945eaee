package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Story a, create: helm install, kubectl apply of an example WsCluster, three shard processes that turn Ready only
 * once their consumer has its partitions and is caught up, kubectl get wsc with the shards and the connections, and
 * 3,000 clients that receive what is published.
 */
@ExtendWith(ControlPlaneExtension.class)
class CreateE2E {
  private static final List<String> CHANNELS = List.of("BTC-USD", "ETH-USD", "SOL-USD");

  @Test
  void anAppliedExampleRunsThreeShardsThatServeThreeThousandClientsEveryRecord(KubeControlPlane plane)
      throws Exception {
    try (StoryCluster cluster = StoryCluster.start(plane, "create");
        ShardObserver observer = new ShardObserver(cluster.client(), cluster.namespace(),
            StoryCluster.shardLabels("prices"))) {
      cluster.applyExample(3, 5);
      cluster.awaitReadyShards("prices", 3);
      // A shard pod's readiness probe is its /readyz: Ready only with its partitions assigned and its lag caught up.
      // The observer samples every 200 ms on its own thread: wait until it has seen each of the three pods Ready.
      await("the observer saw the three shard pods Ready").atMost(Duration.ofSeconds(30)).until(() ->
          observer.samples().stream().filter(ObserverChecks::readyPod).map(ShardObserver.Sample::uid).distinct()
              .count() == 3);
      List<ShardObserver.Sample> readySamples = observer.samples().stream().filter(ObserverChecks::readyPod).toList();
      assertTrue(!readySamples.isEmpty() && readySamples.stream().allMatch(s -> s.assignedPartitions() >= 1),
          "a shard pod was Ready without its Kafka partition: " + readySamples);
      String row = cluster.kubectl("get", "wsc", "prices", "--no-headers").orFail().stdout().trim();
      assertEquals(List.of("prices", "3", "3"), List.of(row.split("\\s+")).subList(0, 3), row);

      try (ShardBalancer balancer = new ShardBalancer(cluster.client(), cluster.namespace(),
              StoryCluster.shardLabels("prices"));
          Subscribers subscribers = new Subscribers(3_000, CHANNELS, balancer, cluster.clientToken())
              .connectAll(StoryCluster.TIMEOUT);
          Publisher publisher = new Publisher(cluster.kafka().bootstrapServers(), StoryCluster.TOPIC, CHANNELS, 30)) {
        await("kubectl get wsc shows 3,000 connections").atMost(StoryCluster.TIMEOUT).until(() ->
            cluster.kubectl("get", "wsc", "prices", "--no-headers").stdout().trim().split("\\s+")[3].equals("3000"));
        Map<java.net.URI, Long> byShard = subscribers.byShard();
        assertEquals(3, byShard.size(), byShard.toString());
        assertTrue(byShard.values().stream().allMatch(n -> n >= 800 && n <= 1_200),
            "least connections spreads the clients: " + byShard);
        await("records flow").atMost(StoryCluster.TIMEOUT).until(() -> publisher.published() >= 150);
        Map<String, Integer> last = publisher.stop();
        long checked = subscribers.assertEveryRecordOnceInOrder(last, StoryCluster.TIMEOUT);
        System.out.printf("story create: %d subscribers, %d records published, %d deliveries checked%n",
            subscribers.all().size(), last.values().stream().mapToInt(i -> i + 1).sum(), checked);
        assertTrue(subscribers.all().stream().allMatch(s -> s.closeCodes().isEmpty()), "a client was closed");

        // The example authenticates every client: one without a token that tries to subscribe is closed with 4001.
        try (dev.odin.ws.shard.testing.WsClients anonymous = new dev.odin.ws.shard.testing.WsClients()) {
          dev.odin.ws.shard.testing.WsClient stranger = anonymous.connectAsync(balancer.get(),
              new io.netty.handler.codec.http.DefaultHttpHeaders(), null).get(30, java.util.concurrent.TimeUnit.SECONDS);
          stranger.sendSubscribe(CHANNELS.get(0));
          assertEquals(4001, stranger.closeCode().get(30, java.util.concurrent.TimeUnit.SECONDS),
              "a client without a token was not refused: " + stranger.closeReason());
        }
      }
    }
  }
}
