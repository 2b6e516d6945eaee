package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Story g, delete: every client is told the cluster is going away (1001) and stops; every consumer group of the
 * cluster is gone from Kafka; every child object is gone.
 */
@ExtendWith(ControlPlaneExtension.class)
class DeleteE2E {
  private static final List<String> CHANNELS = List.of("BTC-USD", "ETH-USD");

  @Test
  void clientsGet1001AndTheConsumerGroupsAndEveryChildAreGone(KubeControlPlane plane) {
    try (StoryCluster cluster = StoryCluster.start(plane, "delete")) {
      cluster.applyExample(3, 4);
      cluster.awaitReadyShards("prices", 3);
      Map<String, String> shards = StoryCluster.shardLabels("prices");
      try (ShardBalancer balancer = new ShardBalancer(cluster.client(), cluster.namespace(), shards);
          Subscribers subscribers = new Subscribers(300, CHANNELS, balancer, cluster.clientToken()).connectAll(StoryCluster.TIMEOUT);
          Publisher publisher = new Publisher(cluster.kafka().bootstrapServers(), StoryCluster.TOPIC, CHANNELS, 20)) {
        await().atMost(StoryCluster.TIMEOUT).until(() -> cluster.consumerGroups("prices-").size() == 3);
        cluster.kubectl("delete", "wsc", "prices", "--wait=true", "--timeout=120s").orFail();

        assertTrue(subscribers.all().stream().allMatch(s -> s.closeCodes().equals(List.of(1001))),
            "every client closed once, with 1001: " + subscribers.all().stream().map(ResumingSubscriber::closeCodes)
                .distinct().toList());
        assertEquals(Set.of(), cluster.consumerGroups("prices-"), "consumer groups left in Kafka");
        await("every child garbage-collected").atMost(StoryCluster.TIMEOUT).untilAsserted(() -> {
          for (String kind : List.of("statefulset", "service", "configmap", "poddisruptionbudget", "deployment",
              "pod")) {
            String left = cluster.kubectl("get", kind, "-l", "app.kubernetes.io/instance=prices", "-o", "name")
                .orFail().stdout().trim();
            assertEquals("", left, kind + " left");
          }
        });
        publisher.stop();
        System.out.printf("story delete: %d clients closed with 1001, consumer groups and children gone%n",
            subscribers.all().size());
      }
    }
  }
}
