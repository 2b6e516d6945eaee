package dev.odin.ws.e2e;

import static org.awaitility.Awaitility.await;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.testenv.CommandResult;
import dev.odin.ws.testenv.ContainerRuntime;
import dev.odin.ws.testenv.KubeControlPlane;
import dev.odin.ws.testenv.KubernetesBinaries;
import dev.odin.ws.testenv.PodNetwork;
import dev.odin.ws.testenv.ProcessKubelet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;

/**
 * What a user has once they followed the README on a cluster: the chart installed with helm, its operator pod running,
 * Kafka reachable. Here the cluster is the tests' real control plane, the pods are run by the {@link ProcessKubelet}
 * as local JVMs of the operator and shard fat jars (the images' entry points), Envoy's pods are reported Ready without
 * a process (no Envoy binary exists here) and Kafka is an embedded broker. WsClusters go in with kubectl.
 */
final class StoryCluster implements AutoCloseable {
  static final String TOPIC = "prices";
  static final String RELEASE = "odin-ws";
  /** Image repositories the chart is installed with; the kubelet runs the jars in their place. */
  static final String OPERATOR_IMAGE = "odin-ws-e2e/operator";
  static final String SHARD_IMAGE = "odin-ws-e2e/shard-server";
  static final Duration TIMEOUT = Duration.ofSeconds(120);
  /** The HMAC secret of the Secret prices-jwt-keys the example names; the story's clients hold a token it signed. */
  private static final String JWT_SECRET = dev.odin.ws.shard.testing.Tokens.hmacSecret();

  private final KubeControlPlane plane;
  private final EmbeddedKafkaBroker kafka;
  private final String operatorNs;
  private final String ns;
  private final ProcessKubelet kubelet;

  private StoryCluster(KubeControlPlane plane, EmbeddedKafkaBroker kafka, String operatorNs, String ns,
      ProcessKubelet kubelet) {
    this.plane = plane;
    this.kafka = kafka;
    this.operatorNs = operatorNs;
    this.ns = ns;
    this.kubelet = kubelet;
  }

  static StoryCluster start(KubeControlPlane plane, String story) {
    EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(Map.of("offsets.topic.num.partitions", "1"));
    kafka.createTopics(1, TOPIC);
    String operatorNs = plane.createNamespace(story + "-system");
    String ns = plane.createNamespace(story);
    List<String> jvm = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1");
    ProcessKubelet kubelet = ProcessKubelet.builder(plane)
        .namespaces(operatorNs, ns)
        .network(PodNetwork.localRoute("10.244.0.0/24"))
        .runtime(SHARD_IMAGE, ContainerRuntime.javaMain(System.getProperty("odin.shardJar"),
                "dev.odin.ws.shard.ShardServerMain", jvm)
            .withEnv(c -> Map.of("ODIN_WS_BIND_ADDRESS", c.podIp())))
        .runtime(OPERATOR_IMAGE, ContainerRuntime.javaMain(System.getProperty("odin.operatorJar"),
            "dev.odin.ws.operator.OperatorMain", jvm))
        .start();
    StoryCluster cluster = new StoryCluster(plane, kafka, operatorNs, ns, kubelet);
    try {
      plane.helm("install", RELEASE, KubernetesBinaries.repo().resolve("charts/odin-ws-operator").toString(),
          "--namespace", operatorNs,
          "--set", "image.repository=" + OPERATOR_IMAGE, "--set", "shardImage.repository=" + SHARD_IMAGE,
          "--set", "watchNamespaces={" + ns + "}",
          // The operator listens on every address of its "pod": a port of its own beside the shards' 8080 and 9090.
          "--set", "httpPort=8081",
          "--set", "extraEnv[0].name=ODIN_OPERATOR_STATS_INTERVAL_SECONDS",
          "--set-string", "extraEnv[0].value=2",
          "--wait", "--timeout", "3m").orFail();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  KubeControlPlane plane() {
    return plane;
  }

  KubernetesClient client() {
    return plane.adminClient();
  }

  ProcessKubelet kubelet() {
    return kubelet;
  }

  EmbeddedKafkaBroker kafka() {
    return kafka;
  }

  /** The namespace of the WsClusters. */
  String namespace() {
    return ns;
  }

  String operatorNamespace() {
    return operatorNs;
  }

  /**
   * {@code kubectl apply -f} of examples/wscluster-minimal.yaml as a user adapts it: this Kafka, {@code shards}, a
   * drain window of {@code drainSeconds}.
   */
  void applyExample(int shards, int drainSeconds) {
    // As the example's own comment tells a user: the Secret with the keys that verify client tokens comes first
    // (once: a story that applies the file again after an edit finds it there).
    if (client().secrets().inNamespace(ns).withName("prices-jwt-keys").get() == null) {
      Path keys;
      try {
        keys = Files.createTempFile(ns + "-jwt-keys", "");
        keys.toFile().deleteOnExit();
        Files.writeString(keys, JWT_SECRET);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      kubectl("create", "secret", "generic", "prices-jwt-keys", "--from-file=keys=" + keys).orFail();
    }
    String yaml = read("examples/wscluster-minimal.yaml")
        .replaceFirst("(?m)^  shards: \\d+$", "  shards: " + shards + "\n  drain:\n    seconds: " + drainSeconds)
        .replaceFirst("(?m)^    bootstrapServers: .*$", "    bootstrapServers: " + kafka.bootstrapServers());
    plane.kubectlWithInput(yaml, "apply", "--validate=strict", "-n", ns, "-f", "-").orFail();
  }

  /** A token the example's shards accept (HS256, signed with the Secret's key, valid an hour): every client's. */
  String clientToken() {
    return dev.odin.ws.shard.testing.Tokens.hs256(JWT_SECRET,
        dev.odin.ws.shard.testing.Tokens.claims("story-client", Duration.ofHours(1), claims -> { }));
  }

  CommandResult kubectl(String... args) {
    List<String> withNs = new java.util.ArrayList<>(List.of(args));
    withNs.addAll(List.of("-n", ns));
    return plane.kubectl(withNs.toArray(String[]::new));
  }

  WsCluster wsCluster(String name) {
    return client().resources(WsCluster.class).inNamespace(ns).withName(name).get();
  }

  /** The shard pods of WsCluster {@code name}, lowest index first. */
  List<Pod> shardPods(String name) {
    return client().pods().inNamespace(ns).withLabels(shardLabels(name)).list().getItems().stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
  }

  static Map<String, String> shardLabels(String name) {
    return Map.of("app.kubernetes.io/name", "odin-ws", "app.kubernetes.io/instance", name,
        "app.kubernetes.io/component", "shard");
  }

  /** Waits until {@code kubectl get wsc NAME} shows {@code ready} ready shards out of {@code ready}. */
  void awaitReadyShards(String name, int ready) {
    await("WsCluster " + name + " with " + ready + " ready shards").atMost(TIMEOUT).until(() -> {
      WsCluster cr = wsCluster(name);
      return cr != null && cr.getStatus() != null && cr.getStatus().getShards() != null
          && cr.getStatus().getShards() == ready && cr.getStatus().getReadyShards() == ready
          && shardPods(name).stream().filter(ObserverChecks::ready).count() == ready;
    });
  }

  /** The Kafka consumer groups that exist whose name starts with {@code prefix}. */
  Set<String> consumerGroups(String prefix) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      return admin.listGroups().all().get().stream().map(GroupListing::groupId)
          .filter(g -> g.startsWith(prefix)).collect(Collectors.toCollection(java.util.TreeSet::new));
    } catch (Exception e) {
      throw new IllegalStateException("cannot list consumer groups", e);
    }
  }

  /** The operator's pod (the chart's Deployment runs one). */
  Pod operatorPod() {
    return client().pods().inNamespace(operatorNs).withLabel("app.kubernetes.io/instance", RELEASE).list()
        .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst()
        .orElseThrow(() -> new AssertionError("no operator pod"));
  }

  private static String read(String path) {
    try {
      return Files.readString(KubernetesBinaries.repo().resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      plane.helm("uninstall", RELEASE, "--namespace", operatorNs);
    } finally {
      kubelet.close();
      kafka.close();
    }
  }
}
