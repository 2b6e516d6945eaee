package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.RebalanceStatus;
import dev.odin.ws.api.Rebalancer;
import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Story c, scale up 2 → 4: the new shards turn Ready once caught up and only then take clients (the balancer follows
 * readiness, as Envoy's health checks on /readyz do). Then the rebalancer ({@code spec.rebalance} defaults to
 * {@code Auto}) asks the old shards to shed their excess: the moved clients get 1012 and resume on the emptiest
 * shards with nothing lost, until every shard is within 10% of the mean; later clients spread over all four.
 */
@ExtendWith(ControlPlaneExtension.class)
class ScaleUpE2E {
  private static final List<String> CHANNELS = List.of("BTC-USD", "ETH-USD");

  @Test
  void newShardsTakeClientsOnlyOnceReadyAndTheRebalancerMovesTheOldShardsExcessOntoThem(KubeControlPlane plane) {
    try (StoryCluster cluster = StoryCluster.start(plane, "scale-up")) {
      cluster.applyExample(2, 5);
      cluster.awaitReadyShards("prices", 2);
      Map<String, String> shards = StoryCluster.shardLabels("prices");
      try (ShardBalancer balancer = new ShardBalancer(cluster.client(), cluster.namespace(), shards);
          ShardObserver observer = new ShardObserver(cluster.client(), cluster.namespace(), shards);
          Subscribers first = new Subscribers(400, CHANNELS, balancer, cluster.clientToken()).connectAll(StoryCluster.TIMEOUT);
          Publisher publisher = new Publisher(cluster.kafka().bootstrapServers(), StoryCluster.TOPIC, CHANNELS, 20)) {
        Set<URI> before = first.byShard().keySet();
        cluster.kubectl("scale", "wsc/prices", "--replicas=4").orFail();
        cluster.awaitReadyShards("prices", 4);
        // The rebalancer moves 100 clients off each old shard (one round: 200 per second of the 5 s window allows
        // 1,000), and the balancer puts them on the new shards.
        await().atMost(StoryCluster.TIMEOUT).untilAsserted(() -> {
          RebalanceStatus rebalance = cluster.wsCluster("prices").getStatus().getRebalance();
          assertEquals(Rebalancer.Phase.Balanced, rebalance == null ? null : rebalance.getPhase(),
              () -> rebalance == null ? "no rebalance" : rebalance.getMessage());
          Map<URI, Long> byShard = first.byShard();
          assertEquals(4, byShard.size(), byShard::toString);
          assertTrue(byShard.values().stream().allMatch(n -> n >= 90 && n <= 110), byShard::toString);
        });
        // No shard ever held a client while its pod was not Ready.
        List<ShardObserver.Sample> notReadyWithClients = observer.samples().stream()
            .filter(s -> !s.ready() && !s.deleting() && s.connections() > 0).toList();
        assertEquals(List.of(), notReadyWithClients);
        long moved = first.all().stream().mapToLong(s -> s.closeCodes().size()).sum();
        assertTrue(first.all().stream().allMatch(s -> s.closeCodes().stream().allMatch(c -> c == 1012)),
            "a client was closed other than by a rebalance (1012)");
        assertEquals(cluster.wsCluster("prices").getStatus().getRebalance().getConnectionsShed(), moved);
        // The first round sheds the excess (200); a further round only corrects where the balancer, reading the
        // shards' counts every 300 ms, put some of the moved clients back on an old shard. No storm: at most twice.
        assertTrue(moved >= 180 && moved <= 400, "moved " + moved + " clients, the excess was 200");
        first.assertEveryResumeRecovered();
        // The balancer re-reads readiness every 300 ms; new clients come once it routes to all four (as Envoy's
        // health checks would, a moment after the pods turn Ready).
        await().atMost(StoryCluster.TIMEOUT).until(() -> balancer.readyShards().size() == 4);

        try (Subscribers later = new Subscribers(200, CHANNELS, balancer, cluster.clientToken()).connectAll(StoryCluster.TIMEOUT)) {
          Map<URI, Long> newcomers = later.byShard();
          assertEquals(4, newcomers.size(), "later clients did not spread over all four: " + newcomers);
          assertTrue(newcomers.keySet().containsAll(before), newcomers::toString);
          later.awaitFirstRecord(StoryCluster.TIMEOUT);
          Map<String, Integer> last = publisher.stop();
          long checked = first.assertEveryRecordOnceInOrder(last, StoryCluster.TIMEOUT)
              + later.assertEveryRecordOnceInOrder(last, StoryCluster.TIMEOUT);
          System.out.printf("story scale-up: 400 + 200 subscribers, %d moved by the rebalancer, later clients %s, "
              + "%d deliveries checked%n", moved, newcomers.values(), checked);
        }
      }
    }
  }
}
