package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Story c, scale up 2 → 4: the new shards turn Ready once caught up, only then take clients (the balancer follows
 * readiness, as Envoy's health checks on /readyz do), and being the emptiest they take the new ones; nobody already
 * connected is disturbed.
 */
@ExtendWith(ControlPlaneExtension.class)
class ScaleUpE2E {
  private static final List<String> CHANNELS = List.of("BTC-USD", "ETH-USD");

  @Test
  void newShardsTakeClientsOnlyOnceReadyAndTheEmptiestTakeTheNewClients(KubeControlPlane plane) {
    try (StoryCluster cluster = StoryCluster.start(plane, "scale-up")) {
      cluster.applyExample(2, 5);
      cluster.awaitReadyShards("prices", 2);
      Map<String, String> shards = StoryCluster.shardLabels("prices");
      try (ShardBalancer balancer = new ShardBalancer(cluster.client(), cluster.namespace(), shards);
          ShardObserver observer = new ShardObserver(cluster.client(), cluster.namespace(), shards);
          Subscribers first = new Subscribers(400, CHANNELS, balancer).connectAll(StoryCluster.TIMEOUT);
          Publisher publisher = new Publisher(cluster.kafka().bootstrapServers(), StoryCluster.TOPIC, CHANNELS, 20)) {
        Set<URI> before = first.byShard().keySet();
        cluster.kubectl("scale", "wsc/prices", "--replicas=4").orFail();
        cluster.awaitReadyShards("prices", 4);
        // No shard ever held a client while its pod was not Ready.
        List<ShardObserver.Sample> notReadyWithClients = observer.samples().stream()
            .filter(s -> !s.ready() && !s.deleting() && s.connections() > 0).toList();
        assertEquals(List.of(), notReadyWithClients);
        // The balancer re-reads readiness every 300 ms; new clients come once it routes to all four (as Envoy's
        // health checks would, a moment after the pods turn Ready).
        await().atMost(StoryCluster.TIMEOUT).until(() -> balancer.readyShards().size() == 4);

        try (Subscribers later = new Subscribers(200, CHANNELS, balancer).connectAll(StoryCluster.TIMEOUT)) {
          Map<URI, Long> newcomers = later.byShard().entrySet().stream().filter(e -> !before.contains(e.getKey()))
              .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
          assertEquals(2, newcomers.size(), "both new shards took clients: " + later.byShard());
          assertTrue(newcomers.values().stream().mapToLong(Long::longValue).sum() >= 180,
              "the two empty shards took (nearly) all the new clients: " + later.byShard());
          Map<String, Integer> last = publisher.stop();
          long checked = first.assertEveryRecordOnceInOrder(last, StoryCluster.TIMEOUT)
              + later.assertEveryRecordOnceInOrder(last, StoryCluster.TIMEOUT);
          assertTrue(first.all().stream().allMatch(s -> s.closeCodes().isEmpty()), "a connected client was closed");
          System.out.printf("story scale-up: 400 + 200 subscribers, new shards took %s, %d deliveries checked%n",
              newcomers.values(), checked);
        }
      }
    }
  }
}
