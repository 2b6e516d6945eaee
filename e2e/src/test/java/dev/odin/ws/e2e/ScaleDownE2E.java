package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Story b, scale down: first with kubectl scale, then by editing spec.shards. Each time the highest shard closes its
 * clients with 1012, paced over the drain window; they resume on the others with no gap and no repeat; its pod goes
 * only once it is empty; its consumer group is deleted from Kafka.
 */
@ExtendWith(ControlPlaneExtension.class)
class ScaleDownE2E {
  private static final List<String> CHANNELS = List.of("BTC-USD", "ETH-USD", "SOL-USD");

  @Test
  void theHighestShardDrainsIntoTheOthersAndGoesOnlyOnceEmptyThenItsConsumerGroupIsDeleted(KubeControlPlane plane) {
    try (StoryCluster cluster = StoryCluster.start(plane, "scale-down")) {
      cluster.applyExample(3, 6);
      cluster.awaitReadyShards("prices", 3);
      Map<String, String> shards = StoryCluster.shardLabels("prices");
      try (ShardBalancer balancer = new ShardBalancer(cluster.client(), cluster.namespace(), shards);
          ShardObserver observer = new ShardObserver(cluster.client(), cluster.namespace(), shards);
          Subscribers subscribers = new Subscribers(600, CHANNELS, balancer, cluster.clientToken()).connectAll(StoryCluster.TIMEOUT);
          Publisher publisher = new Publisher(cluster.kafka().bootstrapServers(), StoryCluster.TOPIC, CHANNELS, 20)) {
        await().atMost(StoryCluster.TIMEOUT).until(() -> cluster.consumerGroups("prices-").size() == 3);

        Pod third = cluster.shardPods("prices").get(2);
        cluster.kubectl("scale", "wsc/prices", "--replicas=2").orFail();
        awaitGone(cluster, third, 2);
        assertEquals(0, ObserverChecks.connectionsWhenDeletionBegan(observer.of(third.getMetadata().getUid())),
            "prices-shard-2 was deleted while it still held clients");
        await().atMost(StoryCluster.TIMEOUT).until(() -> cluster.consumerGroups("prices-").equals(
            Set.of("prices-0", "prices-1")));

        Pod second = cluster.shardPods("prices").get(1);
        cluster.applyExample(1, 6); // the user edits spec.shards in the file and applies it again
        awaitGone(cluster, second, 1);
        assertEquals(0, ObserverChecks.connectionsWhenDeletionBegan(observer.of(second.getMetadata().getUid())),
            "prices-shard-1 was deleted while it still held clients");
        await().atMost(StoryCluster.TIMEOUT).until(() -> cluster.consumerGroups("prices-").equals(Set.of("prices-0")));

        subscribers.awaitConnected(StoryCluster.TIMEOUT);
        Map<String, Integer> last = publisher.stop();
        long checked = subscribers.assertEveryRecordOnceInOrder(last, StoryCluster.TIMEOUT);
        subscribers.assertEveryResumeRecovered();
        long drained = subscribers.all().stream().filter(s -> s.closeCodes().contains(1012)).count();
        assertTrue(drained >= 300, "the two drained shards held about 2/3 of 600 clients, " + drained + " got 1012");
        assertTrue(subscribers.all().stream().allMatch(s -> s.closeCodes().stream().allMatch(c -> c == 1012)),
            "only 1012 closes expected");
        assertNull(cluster.wsCluster("prices").getStatus().getDrain(), "a finished drain left in the status");
        System.out.printf("story scale-down: %d subscribers, %d drained (1012), %d records, %d deliveries checked%n",
            subscribers.all().size(), drained, last.values().stream().mapToInt(i -> i + 1).sum(), checked);
      }
    }
  }

  /** Waits until {@code pod} is gone and the cluster has {@code shards} Ready shards. */
  private static void awaitGone(StoryCluster cluster, Pod pod, int shards) {
    await(pod.getMetadata().getName() + " gone").atMost(StoryCluster.TIMEOUT).until(() ->
        cluster.shardPods("prices").stream().noneMatch(p -> p.getMetadata().getUid().equals(pod.getMetadata().getUid())));
    cluster.awaitReadyShards("prices", shards);
  }
}
