package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Story f, a rolling change (new resources): the StatefulSet replaces the shard pods one at a time; each old shard
 * gets SIGTERM, closes its clients with 1012 paced over the drain window, and they resume on the others with nothing
 * lost.
 */
@ExtendWith(ControlPlaneExtension.class)
class RollingChangeE2E {
  private static final List<String> CHANNELS = List.of("BTC-USD", "ETH-USD", "SOL-USD");

  @Test
  void shardsAreReplacedOneAtATimeEachDrainedFirstAndNothingIsLost(KubeControlPlane plane) {
    try (StoryCluster cluster = StoryCluster.start(plane, "rolling")) {
      cluster.applyExample(3, 4);
      cluster.awaitReadyShards("prices", 3);
      Map<String, String> shards = StoryCluster.shardLabels("prices");
      Set<String> before = uids(cluster.shardPods("prices"));
      try (ShardBalancer balancer = new ShardBalancer(cluster.client(), cluster.namespace(), shards);
          ShardObserver observer = new ShardObserver(cluster.client(), cluster.namespace(), shards);
          Subscribers subscribers = new Subscribers(450, CHANNELS, balancer, cluster.clientToken()).connectAll(StoryCluster.TIMEOUT);
          Publisher publisher = new Publisher(cluster.kafka().bootstrapServers(), StoryCluster.TOPIC, CHANNELS, 20)) {
        cluster.kubectl("patch", "wsc", "prices", "--type=merge", "-p",
            "{\"spec\":{\"resources\":{\"limits\":{\"memory\":\"700Mi\"}}}}").orFail();
        await("every shard pod replaced").atMost(StoryCluster.TIMEOUT.multipliedBy(2)).until(() -> {
          List<Pod> now = cluster.shardPods("prices");
          return now.size() == 3 && uids(now).stream().noneMatch(before::contains)
              && now.stream().allMatch(p -> "700Mi".equals(p.getSpec().getContainers().get(0).getResources()
                  .getLimits().get("memory").toString()));
        });
        cluster.awaitReadyShards("prices", 3);
        assertEquals(1, observer.mostNotReadyAtOnce(), "more than one shard was out at a time");

        subscribers.awaitConnected(StoryCluster.TIMEOUT);
        Map<String, Integer> last = publisher.stop();
        long checked = subscribers.assertEveryRecordOnceInOrder(last, StoryCluster.TIMEOUT);
        subscribers.assertEveryResumeRecovered();
        assertTrue(subscribers.all().stream().flatMap(s -> s.closeCodes().stream()).allMatch(c -> c == 1012),
            "a shard going away in a rollout closes its clients with 1012");
        long moved = subscribers.all().stream().filter(s -> !s.closeCodes().isEmpty()).count();
        System.out.printf("story rolling: 3 pods replaced one at a time, %d clients moved with 1012, %d deliveries "
            + "checked%n", moved, checked);
      }
    }
  }

  private static Set<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
  }
}
