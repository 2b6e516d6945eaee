package dev.odin.ws.local;

import static dev.odin.ws.local.TestClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An edit the CRD would reject is refused with the problem named, and the running cluster stays as it was. */
class InvalidEditE2E {

  @Test
  @Timeout(240)
  void aMalformedEditIsRefusedWithTheProblemNamedAndChangesNothing(@TempDir Path dir) {
    Path yaml = TestClusters.writeYaml(dir.resolve("wscluster.yaml"), "invalid", 1, 2);
    Console console = Console.create();
    try (LocalCluster cluster = TestClusters.start(yaml, dir.resolve("state"), console);
        WsClients clients = new WsClients()) {
      TestClusters.awaitReady(cluster, 1);
      List<WsClient> connected = clients.connectMany(WsClients.uri(cluster.port()), 10, 10);
      List<Long> pids = pids(cluster);

      TestClusters.write(yaml, TestClusters.yaml("invalid", 1, 2).replace("shards: 1", "shards: three"));
      await(Duration.ofSeconds(30)).until(() -> console.contains("refused"));
      assertThat(refusal(console)).contains("spec.shards", "three");
      assertUnchanged(cluster, pids, connected);

      TestClusters.write(yaml, TestClusters.yaml("invalid", -1, 2));
      await(Duration.ofSeconds(30)).until(() -> console.lines().stream().filter(l -> l.contains("refused")).count() == 2);
      assertThat(console.lines()).anyMatch(l -> l.contains("spec.shards: Invalid value: -1"));
      assertUnchanged(cluster, pids, connected);

      // The watcher still works after refusals: a valid edit is applied.
      TestClusters.writeYaml(yaml, "invalid", 2, 2);
      TestClusters.awaitReady(cluster, 2);
      assertThat(pids(cluster).subList(0, 1)).isEqualTo(pids);
    }
    TestClusters.assertNoProcessLeft();
  }

  private static String refusal(Console console) {
    int at = console.lines().indexOf(console.lines().stream().filter(l -> l.contains("refused")).findFirst().get());
    return String.join("\n", console.lines().subList(at, Math.min(at + 3, console.lines().size())));
  }

  private static void assertUnchanged(LocalCluster cluster, List<Long> pids, List<WsClient> connected) {
    assertThat(pids(cluster)).isEqualTo(pids);
    assertThat(cluster.shards()).allMatch(s -> s.ready() && !s.stopping());
    assertThat(connected).allMatch(WsClient::isOpen);
  }

  private static List<Long> pids(LocalCluster cluster) {
    return cluster.shards().stream().map(s -> s.endpoint().orElseThrow().pid()).toList();
  }
}
