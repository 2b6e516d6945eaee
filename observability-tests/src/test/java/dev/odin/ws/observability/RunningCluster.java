package dev.odin.ws.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.api.KafkaSpec;
import dev.odin.ws.api.TopicSpec;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterSpec;
import dev.odin.ws.balancer.Backend;
import dev.odin.ws.balancer.BalancerConfig;
import dev.odin.ws.balancer.LeastConnectionsBalancer;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.operator.OperatorConfig;
import dev.odin.ws.operator.OperatorHttpServer;
import dev.odin.ws.operator.WsClusterOperator;
import dev.odin.ws.shard.ShardServer;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import dev.odin.ws.operator.model.WsClusterLabels;
import dev.odin.ws.testenv.KubeControlPlane;
import dev.odin.ws.testenv.KubeletStandIn;
import dev.odin.ws.testenv.KubernetesBinaries;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;

/**
 * A small odin-ws installation under load, everything real except the Kubernetes API: a Kafka broker, two
 * shards, the local least-connections balancer in front of them, and the operator reconciling a WsCluster
 * of those two shards against fabric8's CRUD mock (its /stats reads go to the real shards), plus a second
 * WsCluster whose reconciliations fail.
 *
 * <p>The load exercises every series a dashboard shows: subscribed clients through the balancer, a steady
 * publisher, one slow client (cut off with 4008), one resume with {@code since} (replay), one refused
 * connection (a full shard), and finally one drain.
 */
final class RunningCluster implements AutoCloseable {
  static final String NAMESPACE = "odin-obs";
  static final String CLUSTER = "obs";
  static final String TOPIC = "prices";
  /** A second WsCluster whose shards the operator cannot reach: its reconciliations fail. */
  static final String BROKEN = "broken";
  /** Shard 1 is small so that it fills up and refuses a connection. */
  private static final int SHARD_1_CAPACITY = 4;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final AtomicLong published = new AtomicLong();
  private EmbeddedKafkaBroker kafka;
  private final List<ShardServer> shards = new ArrayList<>();
  private LeastConnectionsBalancer balancer;
  private OperatorHttpServer operatorHttp;
  private KafkaProducer<String, String> producer;
  private WsClients clients;
  private KubernetesClient kubernetes;

  static RunningCluster start(KubeControlPlane plane) throws Exception {
    RunningCluster cluster = new RunningCluster();
    try {
      cluster.kubernetes = plane.adminClient();
      plane.installCrd(KubernetesBinaries.repo().resolve("crds/" + WsCluster.CRD_NAME + "-v1.yml"), WsCluster.CRD_NAME);
      cluster.kubernetes.namespaces().resource(
          new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      cluster.startServers();
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void startServers() throws Exception {
    kafka = EmbeddedKafkaBroker.start(Map.of("offsets.topic.num.partitions", "1"));
    resources.add(kafka);
    kafka.createTopics(2, TOPIC);
    for (int index = 0; index < 2; index++) {
      ShardServer shard = Shards.start(kafka.bootstrapServers(), CLUSTER, index, TOPIC, Map.of(
          "ODIN_WS_WRITE_BUFFER_HIGH_BYTES", "65536",
          "ODIN_WS_WRITE_BUFFER_LOW_BYTES", "32768",
          "ODIN_WS_MAX_CONNECTIONS", index == 1 ? Integer.toString(SHARD_1_CAPACITY) : "100"));
      resources.add(0, shard);
      shards.add(shard);
    }
    shards.forEach(Shards::awaitReady);

    balancer = new LeastConnectionsBalancer(BalancerConfig.builder().cluster(CLUSTER).bindAddress("127.0.0.1")
        .port(0).managementPort(0).healthCheckInterval(Duration.ofMillis(300))
        .backends(shards.stream().map(s -> new Backend(shards.indexOf(s), "127.0.0.1", s.wsPort(),
            s.managementPort())).toList())
        .build());
    balancer.start();
    resources.add(0, balancer);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry); // as OperatorMain does
    new JvmThreadMetrics().bindTo(registry);
    OperatorConfig config = OperatorConfig.from(Map.of(
        OperatorConfig.WATCH_NAMESPACES, NAMESPACE,
        OperatorConfig.LEADER_ELECTION, "false",
        OperatorConfig.STATS_INTERVAL_SECONDS, "1",
        OperatorConfig.SHARD_IMAGE, "shard:test"));
    WsClusterOperator operator = new WsClusterOperator(config, kubernetes, registry, (cr, index, pod) -> {
      if (BROKEN.equals(cr.getMetadata().getName())) {
        throw new IllegalStateException("test: WsCluster " + BROKEN + " has no reachable shards");
      }
      return URI.create("http://127.0.0.1:" + shards.get(index).managementPort());
    }, null);
    operator.start();
    resources.add(0, operator);
    operatorHttp = new OperatorHttpServer(0, registry, () -> true);
    resources.add(0, operatorHttp);
    kubernetes.resource(wsCluster(CLUSTER, 2)).create();

    producer = Shards.producer(kafka.bootstrapServers());
    resources.add(0, producer);
    clients = new WsClients();
    resources.add(0, clients);
  }

  /** Drives the load; returns once every kind of event the dashboards count has happened at least once. */
  void applyLoad() throws Exception {
    // Its reconciliations fail (and are retried), so the operator's failure counter rises while scraped.
    kubernetes.resource(wsCluster(BROKEN, 1)).create();
    List<WsClient> subscribers = clients.connectMany(WsClients.uri(balancer.port()), 4, 4);
    for (WsClient client : subscribers) {
      client.subscribe("a", "b");
    }
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    resources.add(0, ticker::shutdownNow);
    ticker.scheduleAtFixedRate(() -> {
      long seq = published.incrementAndGet();
      producer.send(new ProducerRecord<>(TOPIC, seq % 2 == 0 ? "a" : "b", "{\"seq\":" + seq + "}"));
    }, 0, 50, TimeUnit.MILLISECONDS);

    // The operator's status: the mock has no kubelet, so the StatefulSet's pods are marked ready by hand.
    Awaitility.await("WsCluster reconciled with both shards ready").atMost(Duration.ofSeconds(90))
        .untilAsserted(() -> {
          markShardsReady();
          WsCluster cr = kubernetes.resources(WsCluster.class).inNamespace(NAMESPACE).withName(CLUSTER).get();
          assertThat(cr.getStatus()).isNotNull();
          assertThat(cr.getStatus().getReadyShards()).isEqualTo(2);
        });

    // A resume: the position of a record a subscriber already got, asked for again with `since`.
    WsClient first = subscribers.get(0);
    String position = first.awaitMessage(m -> "message".equals(m.path("type").asText())
        && "a".equals(m.path("channel").asText()), Duration.ofSeconds(60)).path("position").asText();
    WsClient resumer = clients.connect(WsClients.uri(balancer.port()));
    resumer.send("{\"type\":\"subscribe\",\"channels\":[\"a\"],\"since\":{\"a\":\"" + position + "\"}}");
    resumer.awaitMessage(m -> "subscribed".equals(m.path("type").asText()) && m.has("recovered"),
        Duration.ofSeconds(60));

    // A slow client on shard 0: it stops reading while large records arrive, and is cut off with 4008.
    ShardServer shard0 = shards.get(0);
    WsClient slow = clients.connectAsync(WsClients.uri(shard0.wsPort()), 4096).get(30, TimeUnit.SECONDS);
    slow.subscribe("big");
    slow.channel().config().setAutoRead(false);
    String pad = "p".repeat(1000);
    Awaitility.await("slow client disconnected").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          for (int i = 0; i < 200; i++) {
            producer.send(new ProducerRecord<>(TOPIC, "big", "{\"pad\":\"" + pad + "\"}"));
          }
          producer.flush();
          return Shards.metric(shard0, "ws_slow_clients_disconnected_total", null) >= 1.0;
        });
    slow.channel().config().setAutoRead(true);

    // Shard 1 fills up (the balancer's clients plus direct ones) and refuses one more upgrade with 503.
    ShardServer shard1 = shards.get(1);
    Awaitility.await("shard 1 refused a connection").atMost(Duration.ofSeconds(60)).until(() -> {
      try {
        clients.connectAsync(WsClients.uri(shard1.wsPort())).get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | CompletionException refused) {
        // expected once the shard is full
      }
      return Shards.metric(shard1, "ws_connections_rejected_total", null) >= 1.0
          || rejectedAnyReason(shard1);
    });
  }

  /** The last step of the load: shard 1 drains (its clients are closed with 1012). */
  void drainShard1() {
    ShardServer shard1 = shards.get(1);
    assertThat(Shards.post(shard1, "/drain").statusCode()).isEqualTo(202);
    Awaitility.await("shard 1 draining").atMost(Duration.ofSeconds(30))
        .until(() -> Shards.metric(shard1, "ws_shard_draining", null) == 1.0);
  }

  private static boolean rejectedAnyReason(ShardServer shard) {
    return Shards.get(shard, "/metrics").body().lines()
        .anyMatch(l -> l.startsWith("ws_connections_rejected_total{") && !l.endsWith(" 0.0"));
  }

  /** The shard processes run here, not in the StatefulSet's pods: report those pods Ready as their kubelet would. */
  private void markShardsReady() {
    KubeletStandIn.markReady(kubernetes, NAMESPACE, WsClusterLabels.selector(wsCluster(CLUSTER, 0),
        WsClusterLabels.SHARD));
  }

  private WsCluster wsCluster(String name, int shardCount) {
    WsCluster cr = new WsCluster();
    cr.getMetadata().setName(name);
    cr.getMetadata().setNamespace(NAMESPACE);
    WsClusterSpec spec = new WsClusterSpec();
    spec.setShards(shardCount);
    KafkaSpec k = new KafkaSpec();
    k.setBootstrapServers(kafka.bootstrapServers());
    k.setTopics(List.of(new TopicSpec(TOPIC, null)));
    spec.setKafka(k);
    cr.setSpec(spec);
    return cr;
  }

  /** host:port of every shard's management port. */
  List<String> shardTargets() {
    return shards.stream().map(s -> "127.0.0.1:" + s.managementPort()).toList();
  }

  String balancerTarget() {
    return "127.0.0.1:" + balancer.managementPort();
  }

  String operatorTarget() {
    return "127.0.0.1:" + operatorHttp.port();
  }

  KubernetesClient kubernetes() {
    return kubernetes;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    resources.clear();
    if (first != null) {
      throw first;
    }
  }
}
