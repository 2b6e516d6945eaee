package dev.odin.ws.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.api.ShardAdminClient;
import dev.odin.ws.api.ShardStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Writes WsCluster files and starts local clusters in the test JVM, with shards as real processes. */
final class TestClusters {
  static final String TOPIC = "ticks";
  private static final ShardAdminClient ADMIN = new ShardAdminClient(Duration.ofSeconds(5));

  private TestClusters() {}

  /** A local WsCluster file: an embedded broker, one topic whose channel is the record key. */
  static Path writeYaml(Path file, String name, int shards, int drainSeconds) {
    return write(file, yaml(name, shards, drainSeconds));
  }

  /** As {@link #writeYaml}, with {@code spec.rebalance: "Off"}: a scale-up moves no client. */
  static Path writeYamlWithoutRebalance(Path file, String name, int shards, int drainSeconds) {
    return write(file, yaml(name, shards, drainSeconds).replace("  drain:", "  rebalance: \"Off\"\n  drain:"));
  }

  static String yaml(String name, int shards, int drainSeconds) {
    return """
        apiVersion: ws.odin.dev/v1alpha1
        kind: WsCluster
        metadata:
          name: %s
        spec:
          shards: %d
          resources:
            limits:
              cpu: "1"
              memory: 256Mi
          kafka:
            bootstrapServers: embedded
            topics:
              - name: %s
          drain:
            seconds: %d
        """.formatted(name, shards, TOPIC, drainSeconds);
  }

  static Path write(Path file, String content) {
    try {
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static LocalCluster start(Path yaml, Path stateDir, Console console) {
    return start(yaml, stateDir, console, Optional.empty());
  }

  static LocalCluster start(Path yaml, Path stateDir, Console console, Optional<Path> timeline) {
    LocalOptions options = new LocalOptions(yaml, false, 1, OptionalInt.of(0),
        Path.of(System.getProperty("odin.shardJar")), Path.of(System.getProperty("odin.watchdogJar")), stateDir,
        Optional.empty(), timeline);
    return LocalCluster.start(options, console);
  }

  /** Waits until exactly {@code count} shards run and the balancer sees every one of them ready. */
  static List<ShardView> awaitReady(LocalCluster cluster, int count) {
    return await(Duration.ofSeconds(120)).until(cluster::shards,
        v -> v.size() == count && v.stream().allMatch(s -> s.ready() && !s.stopping()));
  }

  static ShardStats stats(ShardView shard) {
    try {
      return ADMIN.stats(Drainer.base(shard.endpoint().orElseThrow()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static ShardView shard(LocalCluster cluster, int index) {
    return cluster.shards().stream().filter(s -> s.index() == index).findFirst().orElseThrow();
  }

  /** Every process this test JVM started that still runs (the shards of in-process clusters). */
  static List<ProcessHandle> children() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
  }

  static void assertNoProcessLeft() {
    await(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(children()).isEmpty());
  }

  static ConditionFactory await(Duration atMost) {
    return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100));
  }
}
