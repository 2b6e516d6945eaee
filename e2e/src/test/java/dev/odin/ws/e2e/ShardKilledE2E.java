package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Story e, a shard killed with SIGKILL: its clients lose their connections without a close frame, reconnect to the
 * other shards and resume with nothing lost; the shard comes back (its container restarted, as the kubelet does for
 * a StatefulSet's pod) and is Ready again.
 */
@ExtendWith(ControlPlaneExtension.class)
class ShardKilledE2E {
  private static final List<String> CHANNELS = List.of("BTC-USD", "ETH-USD", "SOL-USD");

  @Test
  void theKilledShardsClientsResumeElsewhereWithNothingLostAndTheShardComesBack(KubeControlPlane plane) {
    try (StoryCluster cluster = StoryCluster.start(plane, "shard-killed")) {
      cluster.applyExample(3, 5);
      cluster.awaitReadyShards("prices", 3);
      Map<String, String> shards = StoryCluster.shardLabels("prices");
      try (ShardBalancer balancer = new ShardBalancer(cluster.client(), cluster.namespace(), shards);
          Subscribers subscribers = new Subscribers(600, CHANNELS, balancer, cluster.clientToken()).connectAll(StoryCluster.TIMEOUT);
          Publisher publisher = new Publisher(cluster.kafka().bootstrapServers(), StoryCluster.TOPIC, CHANNELS, 20)) {
        await("records flow").atMost(StoryCluster.TIMEOUT).until(() -> publisher.published() >= 60);
        Pod victim = cluster.shardPods("prices").get(1);
        cluster.kubelet().process(cluster.namespace(), victim.getMetadata().getName(), "shard").orElseThrow()
            .destroyForcibly();
        await("the shard's container restarted and Ready").atMost(StoryCluster.TIMEOUT).until(() -> {
          Pod pod = cluster.client().pods().inNamespace(cluster.namespace())
              .withName(victim.getMetadata().getName()).get();
          return pod != null && pod.getStatus().getContainerStatuses().stream()
              .mapToInt(ContainerStatus::getRestartCount).sum() >= 1
              && pod.getStatus().getContainerStatuses().stream().allMatch(ContainerStatus::getReady);
        });
        cluster.awaitReadyShards("prices", 3);

        subscribers.awaitConnected(StoryCluster.TIMEOUT);
        Map<String, Integer> last = publisher.stop();
        long checked = subscribers.assertEveryRecordOnceInOrder(last, StoryCluster.TIMEOUT);
        subscribers.assertEveryResumeRecovered();
        long cut = subscribers.all().stream().filter(s -> s.closeCodes().contains(-1)).count();
        assertTrue(cut >= 100, "about a third of 600 clients lost their shard: " + cut);
        System.out.printf("story shard-killed: %d clients cut off without a close frame, all resumed; %d deliveries "
            + "checked%n", cut, checked);
      }
    }
  }
}
