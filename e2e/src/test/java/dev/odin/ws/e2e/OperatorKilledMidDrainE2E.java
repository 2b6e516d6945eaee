package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.DrainStatus;
import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Story d, the operator killed mid-drain: the scale-down's drain is in the WsCluster's status, so the operator that
 * comes back (the kubelet restarts its container) continues the same drain with the same window: the shard is not
 * asked again from scratch, its pod is not removed while it holds clients, nothing is lost.
 */
@ExtendWith(ControlPlaneExtension.class)
class OperatorKilledMidDrainE2E {
  private static final List<String> CHANNELS = List.of("BTC-USD", "ETH-USD", "SOL-USD");

  @Test
  void theRestartedOperatorContinuesTheSameDrainAndRemovesTheShardOnlyOnceEmpty(KubeControlPlane plane) {
    try (StoryCluster cluster = StoryCluster.start(plane, "operator-killed")) {
      cluster.applyExample(3, 20); // a long window: the operator dies well inside it
      cluster.awaitReadyShards("prices", 3);
      Map<String, String> shards = StoryCluster.shardLabels("prices");
      try (ShardBalancer balancer = new ShardBalancer(cluster.client(), cluster.namespace(), shards);
          ShardObserver observer = new ShardObserver(cluster.client(), cluster.namespace(), shards);
          Subscribers subscribers = new Subscribers(600, CHANNELS, balancer, cluster.clientToken()).connectAll(StoryCluster.TIMEOUT);
          Publisher publisher = new Publisher(cluster.kafka().bootstrapServers(), StoryCluster.TOPIC, CHANNELS, 20)) {
        Pod third = cluster.shardPods("prices").get(2);
        cluster.kubectl("scale", "wsc/prices", "--replicas=2").orFail();
        DrainStatus drain = await("the drain recorded in the status").atMost(StoryCluster.TIMEOUT)
            .until(() -> cluster.wsCluster("prices").getStatus().getDrain(), d -> d != null && !d.getShards().isEmpty());
        String since = drain.getShards().get(0).getSince();
        // Mid-drain: the shard has heard its ask (the event follows the POST /drain). A kill between recording the
        // ask and sending it is WsClusterOperatorIT's case: the next operator asks a shard that is not draining.
        await("shard 2 asked to drain").atMost(StoryCluster.TIMEOUT).until(() -> drainingShardEvents(cluster) == 1);

        Pod operator = cluster.operatorPod();
        ProcessHandle process = cluster.kubelet().process(cluster.operatorNamespace(),
            operator.getMetadata().getName(), "operator").orElseThrow();
        process.destroyForcibly(); // SIGKILL mid-drain: no shutdown hook, no lease release
        await("the kubelet restarts the operator").atMost(StoryCluster.TIMEOUT).until(() -> restarts(cluster) >= 1);
        assertTrue(shardStillHolds(observer, third), "the kill came after shard 2 was already empty: no mid-drain");

        await("prices-shard-2 gone").atMost(StoryCluster.TIMEOUT).until(() -> cluster.shardPods("prices").stream()
            .noneMatch(p -> p.getMetadata().getUid().equals(third.getMetadata().getUid())));
        cluster.awaitReadyShards("prices", 2);
        assertEquals(0, ObserverChecks.connectionsWhenDeletionBegan(observer.of(third.getMetadata().getUid())),
            "the new operator removed prices-shard-2 while it still held clients");

        Map<String, Integer> last = publisher.stop();
        long checked = subscribers.assertEveryRecordOnceInOrder(last, StoryCluster.TIMEOUT);
        subscribers.assertEveryResumeRecovered();
        assertEquals(1, drainingShardEvents(cluster),
            "shard 2 was asked to drain again by the operator that took over:\n" + reasons(cluster));
        System.out.printf("story operator-killed: drain since %s survived the restart; %d deliveries checked%n",
            since, checked);
      }
    }
  }

  private static String reasons(StoryCluster cluster) {
    return cluster.kubectl("get", "events", "--field-selector", "involvedObject.name=prices",
        "-o", "custom-columns=REASON:.reason", "--no-headers").orFail().stdout();
  }

  private static long drainingShardEvents(StoryCluster cluster) {
    return reasons(cluster).lines().filter("DrainingShard"::equals).count();
  }

  private static int restarts(StoryCluster cluster) {
    Pod pod = cluster.operatorPod();
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? 0
        : pod.getStatus().getContainerStatuses().stream().mapToInt(ContainerStatus::getRestartCount).sum();
  }

  /** Whether shard 2 held clients at some point after the operator was killed (the drain was really mid-way). */
  private static boolean shardStillHolds(ShardObserver observer, Pod pod) {
    List<ShardObserver.Sample> samples = observer.of(pod.getMetadata().getUid());
    return !samples.isEmpty() && samples.get(samples.size() - 1).connections() != 0;
  }
}
