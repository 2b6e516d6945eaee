package dev.odin.ws.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.AutoscalingSpec;
import dev.odin.ws.api.BalancerSpec;
import dev.odin.ws.api.DrainSpec;
import dev.odin.ws.api.DrainStatus;
import dev.odin.ws.api.KafkaSpec;
import dev.odin.ws.api.SecretKeyRef;
import dev.odin.ws.api.TopicSpec;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterSpec;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.operator.model.WsClusterLabels;
import dev.odin.ws.operator.model.WsClusterNames;
import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import dev.odin.ws.testenv.KubeletStandIn;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator in this JVM against a real API server and controller manager (the StatefulSet, garbage-collector and
 * other controllers run), a real in-process Kafka broker, and fake shard management APIs on local ports. No kubelet
 * runs the shard pods: {@link KubeletStandIn} reports them Ready, as a kubelet would once their probes pass.
 */
@ExtendWith(ControlPlaneExtension.class)
class WsClusterOperatorIT {
  private static EmbeddedKafkaBroker kafka;
  private static KubeControlPlane plane;
  private static KubernetesClient client;
  /** Each test's own namespace, the only one its operator watches: WsClusters of earlier tests stay out of it. */
  private String NS;

  private final Map<Integer, FakeShard> shards = new ConcurrentHashMap<>();
  /** Connections a fake shard starts with, by index. */
  private volatile java.util.function.IntToLongFunction initialConnections = i -> 10;
  private final List<Map.Entry<Instant, Integer>> replicaHistory = new CopyOnWriteArrayList<>();
  private WsClusterOperator operator;
  private PrometheusMeterRegistry registry;
  private Watch stsWatch;

  @BeforeAll
  static void controlPlane(KubeControlPlane controlPlane) {
    plane = controlPlane;
    client = plane.adminClient();
    plane.installCrd(OperatorTests.CRD, WsCluster.CRD_NAME);
  }

  @BeforeAll
  static void startKafka() {
    // One offsets partition: the consumer-group coordinator comes up in a fraction of the default 50.
    kafka = EmbeddedKafkaBroker.start(Map.of("offsets.topic.num.partitions", "1"));
    kafka.createTopics(1, "prices");
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void startOperator() {
    NS = plane.createNamespace("operator");
    OperatorConfig config = OperatorConfig.from(Map.of(
        OperatorConfig.WATCH_NAMESPACES, NS,
        OperatorConfig.STATS_INTERVAL_SECONDS, "1",
        OperatorConfig.LEASE_NAMESPACE, NS,
        OperatorConfig.SHARD_IMAGE, "shard:test"));
    operator = newOperator(config);
    operator.start();
    stsWatch = client.apps().statefulSets().inNamespace(NS).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, StatefulSet sts) {
        replicaHistory.add(Map.entry(Instant.now(), sts.getSpec().getReplicas()));
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  private WsClusterOperator newOperator(OperatorConfig config) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ShardUriResolver resolver = (cr, index, pod) -> shards.computeIfAbsent(index,
        i -> new FakeShard(i, initialConnections.applyAsLong(i), cr.getMetadata().getName().startsWith("sticky")))
        .uri();
    return new WsClusterOperator(config, client, registry, resolver, new LeaderElectionConfiguration(
        config.leaseName(), NS, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2),
        "it", null, false));
  }

  @AfterEach
  void stop() {
    stsWatch.close();
    operator.close();
    shards.values().forEach(FakeShard::close);
  }

  @Test
  void createScaleUpScaleDownAndDeleteFollowSpecAndDrainBeforeRemovingShards() throws Exception {
    client.resource(wsCluster("prices", 3)).create();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("prices");
      WsCluster cr = get("prices");
      assertNotNull(cr.getStatus());
      assertEquals(3, cr.getStatus().getShards());
      assertEquals(3, cr.getStatus().getReadyShards());
      assertEquals(30L, cr.getStatus().getConnections());
      assertEquals("True", cr.getStatus().getConditions().get(0).getStatus(), cr.getStatus().getConditions().toString());
      assertEquals(cr.getMetadata().getGeneration(), cr.getStatus().getObservedGeneration());
      assertNotNull(client.apps().deployments().inNamespace(NS).withName("prices-envoy").get());
      assertNotNull(client.services().inNamespace(NS).withName("prices-envoy-metrics").get());
    });
    WsCluster created = get("prices");
    assertNull(created.getStatus().getRebalance(), "a new cluster (from 0 shards) has no clients to rebalance");
    for (HasMetadata owned : ownedObjects(created)) {
      assertNotNull(owned, "object missing");
      assertEquals(created.getMetadata().getUid(), owned.getMetadata().getOwnerReferences().get(0).getUid(),
          owned.getKind() + " " + owned.getMetadata().getName());
      assertEquals(1, owned.getMetadata().getOwnerReferences().size());
    }
    assertEquals("app.kubernetes.io/component=shard,app.kubernetes.io/instance=prices,app.kubernetes.io/name=odin-ws",
        created.getStatus().getSelector());
    assertTrue(registry.scrape().contains("wscluster_shards_desired{namespace=\"" + NS + "\",wscluster=\"prices\"} 3"));
    assertTrue(registry.scrape().contains("operator_sdk_"), "JOSDK metrics missing");

    scale("prices", 5);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("prices");
      assertEquals(5, statefulSet("prices").getSpec().getReplicas());
      WsCluster cr = get("prices");
      assertEquals(5, cr.getStatus().getReadyShards());
      assertEquals(5, cr.getStatus().getShardStatuses().size());
      assertEquals(50L, cr.getStatus().getConnections());
    });

    createConsumerGroups("prices-0", "prices-1", "prices-2", "prices-3", "prices-4");
    scale("prices", 2);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("prices");
      assertEquals(2, statefulSet("prices").getSpec().getReplicas());
      assertEquals(Set.of("prices-0", "prices-1"), consumerGroups());
      WsCluster cr = get("prices");
      assertEquals(2, cr.getStatus().getShards());
      assertEquals(2, cr.getStatus().getShardStatuses().size());
      assertEquals("True", cr.getStatus().getConditions().get(0).getStatus());
    });
    Instant atFive = replicaHistory.stream().filter(e -> e.getValue() == 5).map(Map.Entry::getKey)
        .findFirst().orElseThrow();
    Instant firstDrop = replicaHistory.stream().filter(e -> e.getValue() < 5 && e.getKey().isAfter(atFive))
        .map(Map.Entry::getKey).findFirst().orElseThrow();
    for (int i : List.of(2, 3, 4)) {
      Instant drained = shards.get(i).drainRequestedAt;
      assertNotNull(drained, "shard " + i + " was never asked to drain");
      assertTrue(drained.isBefore(firstDrop), "shard " + i + " drained at " + drained + " after the replicas dropped: " + replicaHistory);
    }
    assertNull(shards.get(0).drainRequestedAt, "a surviving shard was drained");
    assertNull(shards.get(1).drainRequestedAt, "a surviving shard was drained");
    assertTrue(client.v1().events().inNamespace(NS).list().getItems().stream()
        .anyMatch(e -> "DrainingShard".equals(e.getReason())), "no drain events");

    List<HasMetadata> children = ownedObjects(get("prices")).stream().filter(o -> o != null).toList();
    client.resource(get("prices")).delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> get("prices") == null);
    for (int i : List.of(0, 1)) {
      assertEquals(List.of("1001"), shards.get(i).drainCodes, "shard " + i + " told the cluster goes away, once");
    }
    assertEquals(Set.of(), consumerGroups(), "consumer groups of a deleted WsCluster left in Kafka");
    assertTrue(!registry.scrape().contains("wscluster=\"prices\""), "gauges of a deleted WsCluster remain");
    // Kubernetes' garbage collector removes the children through their ownerReferences.
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      for (HasMetadata child : children) {
        assertNull(client.resource(child).get(), child.getKind() + " " + child.getMetadata().getName() + " left");
      }
    });
  }

  @Test
  void plainServiceBalancerRecommendModeAndErrorsReachTheStatus() throws Exception {
    WsCluster cr = wsCluster("quotes", 2);
    BalancerSpec balancer = new BalancerSpec();
    balancer.setType(BalancerSpec.Type.Service);
    cr.getSpec().setBalancer(balancer);
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMode(AutoscalingSpec.Mode.Recommend);
    autoscaling.setTargetConnectionsPerShard(5);
    autoscaling.setTargetCpuUtilization(0.3);
    autoscaling.setScaleUpStabilizationSeconds(0);
    cr.getSpec().setAutoscaling(autoscaling);
    SecretKeyRef secret = new SecretKeyRef();
    secret.setName("missing-kafka-client");
    cr.getSpec().getKafka().setSecretRef(secret);
    client.resource(cr).create();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("quotes");
      WsCluster c = get("quotes");
      assertNotNull(c.getStatus());
      assertEquals(2, c.getStatus().getReadyShards());
      // 2 fake shards x 10 connections / target 5 = 4
      assertEquals(4, c.getStatus().getAutoscaling().getRecommendedShards());
      assertTrue(c.getStatus().getAutoscaling().getReason().startsWith("connections decide"),
          c.getStatus().getAutoscaling().getReason());
      assertEquals(2, c.getSpec().getShards(), "Recommend must not write spec.shards");
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> registry.scrape().contains(
        "wscluster_autoscaler_recommended_shards{namespace=\"" + NS + "\",wscluster=\"quotes\"} 4"));
    // The shards get busy: 2 x 0.9 of their CPU limit / 0.3 per shard = 6, more than connections ask for.
    shards.values().forEach(f -> f.cpuUtilization = 0.9);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var scaling = get("quotes").getStatus().getAutoscaling();
      assertEquals(6, scaling.getRecommendedShards());
      assertTrue(scaling.getReason().startsWith("CPU decides: CPU 1.80 / 0.30 per shard = 6"), scaling.getReason());
    });
    Service entry = client.services().inNamespace(NS).withName("quotes").get();
    assertEquals("shard", entry.getSpec().getSelector().get("app.kubernetes.io/component"));
    assertNull(client.apps().deployments().inNamespace(NS).withName("quotes-envoy").get());
    assertNull(client.configMaps().inNamespace(NS).withName("quotes-envoy").get());
    assertNull(client.services().inNamespace(NS).withName("quotes-envoy-metrics").get());

    // The consumer-group cleanup after this scale-down needs the (missing) Secret: the error reaches the status.
    scale("quotes", 1);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("quotes");
      var ready = get("quotes").getStatus().getConditions().get(0);
      assertEquals("False", ready.getStatus());
      assertEquals("IllegalStateException", ready.getReason());
      assertTrue(ready.getMessage().contains("missing-kafka-client"), ready.getMessage());
    });
  }

  @Test
  void autoModeWritesTheRecommendationIntoSpecShardsThroughTheScaleSubresource() {
    WsCluster cr = wsCluster("trades", 2);
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMode(AutoscalingSpec.Mode.Auto);
    autoscaling.setTargetConnectionsPerShard(5);
    autoscaling.setMaxShards(4);
    autoscaling.setScaleUpStabilizationSeconds(0);
    cr.getSpec().setAutoscaling(autoscaling);
    client.resource(cr).create();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("trades");
      assertEquals(4, get("trades").getSpec().getShards());
      assertEquals(4, statefulSet("trades").getSpec().getReplicas());
      assertEquals(4, get("trades").getStatus().getAutoscaling().getRecommendedShards());
      assertEquals(4, get("trades").getStatus().getAutoscaling().getSpecShards());
    });
    assertTrue(client.v1().events().inNamespace(NS).list().getItems().stream()
        .anyMatch(e -> "Autoscaled".equals(e.getReason())), "no Autoscaled event");
    // The API server records who wrote spec.shards and through which subresource, as it does for kubectl scale.
    List<io.fabric8.kubernetes.api.model.ManagedFieldsEntry> writers = get("trades").getMetadata().getManagedFields()
        .stream().filter(m -> "scale".equals(m.getSubresource())).toList();
    assertEquals(1, writers.size(), get("trades").getMetadata().getManagedFields().toString());
    assertTrue(writers.get(0).getFieldsV1().getAdditionalProperties().toString().contains("f:shards"),
        writers.get(0).toString());
    assertTrue(get("trades").getStatus().getAutoscaling().getReason().startsWith("connections decide"));
  }

  @Test
  void aManualScaleInModeAutoIsRecordedAndNotRevertedWithinTheWindowThenTheAutoscalerResumes() throws Exception {
    initialConnections = i -> i < 2 ? 10 : 0; // the load stays 20 connections: 2 shards at 10 per shard
    WsCluster cr = wsCluster("manual", 2);
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMode(AutoscalingSpec.Mode.Auto);
    autoscaling.setTargetConnectionsPerShard(10);
    autoscaling.setScaleUpStabilizationSeconds(0);
    autoscaling.setScaleDownStabilizationSeconds(15);
    cr.getSpec().setAutoscaling(autoscaling);
    cr.getSpec().setRebalance(WsClusterSpec.Rebalance.Off); // these fake shards' shed clients would not come back
    DrainSpec drain = new DrainSpec();
    drain.setSeconds(1);
    cr.getSpec().setDrain(drain);
    client.resource(cr).create();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("manual");
      WsCluster c = get("manual");
      assertNotNull(c.getStatus());
      assertNotNull(c.getStatus().getAutoscaling());
      assertEquals(2, c.getStatus().getAutoscaling().getSpecShards());
    });
    List<Map.Entry<Instant, Integer>> specHistory = new CopyOnWriteArrayList<>();
    try (Watch watch = client.resources(WsCluster.class).inNamespace(NS).withName("manual").watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, WsCluster c) {
        specHistory.add(Map.entry(Instant.now(), c.getSpec().getShards()));
      }

      @Override
      public void onClose(WatcherException cause) {}
    })) {
      Instant scaled = Instant.now();
      plane.kubectl("scale", "wsc/manual", "-n", NS, "--replicas=4").orFail();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        markShardsReady("manual");
        assertEquals(4, statefulSet("manual").getSpec().getReplicas());
        var scaling = get("manual").getStatus().getAutoscaling();
        assertNotNull(scaling.getManualChangeTime(), scaling.getReason());
        assertTrue(scaling.getReason().contains("spec.shards was set to 4 by hand"), scaling.getReason());
        assertEquals(2, scaling.getDesiredShards());
      });
      assertTrue(client.v1().events().inNamespace(NS).list().getItems().stream()
          .anyMatch(e -> "ManualScale".equals(e.getReason()) && e.getMessage().contains("set to 4 by hand")),
          "no ManualScale event");
      Instant manual = Instant.parse(get("manual").getStatus().getAutoscaling().getManualChangeTime());
      // After the window (15 s) and the scale-down stabilization, the autoscaler takes the load's 2 again.
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        markShardsReady("manual");
        assertEquals(2, get("manual").getSpec().getShards());
      });
      Instant four = specHistory.stream().filter(e -> e.getKey().isAfter(scaled) && e.getValue() == 4)
          .map(Map.Entry::getKey).findFirst().orElseThrow();
      Instant back = specHistory.stream().filter(e -> e.getKey().isAfter(four) && e.getValue() == 2)
          .map(Map.Entry::getKey).findFirst().orElseThrow();
      assertTrue(!back.isBefore(manual.plusSeconds(15)), "the manual 4 was reverted at " + back
          + ", inside the window that began at " + manual + ": " + specHistory);
    }
  }

  @Test
  void afterAScaleUpShardsAboveTheMeanShedInBoundedRoundsUntilEveryShardIsWithinTenPercent() {
    initialConnections = i -> i < 2 ? 1000 : 0;
    WsCluster cr = wsCluster("spread", 2);
    DrainSpec drain = new DrainSpec();
    drain.setSeconds(2); // a round moves at most 200 clients per second of it: 400
    cr.getSpec().setDrain(drain);
    client.resource(cr).create();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("spread");
      assertNotNull(get("spread").getStatus());
      assertEquals(2000L, get("spread").getStatus().getConnections());
    });
    // The balancer in front sends each reconnecting client to the shard with the fewest connections.
    java.util.function.IntConsumer leastConnections = n -> {
      synchronized (shards) {
        for (int k = 0; k < n; k++) {
          shards.values().stream().filter(f -> f.index() < 4)
              .min(java.util.Comparator.comparingLong(f -> f.connections.get())).orElseThrow()
              .connections.incrementAndGet();
        }
      }
    };
    scale("spread", 4);
    await().atMost(Duration.ofSeconds(30)).until(() -> shards.size() == 4);
    shards.values().forEach(f -> f.onShed = leastConnections);
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      markShardsReady("spread");
      var rebalance = get("spread").getStatus().getRebalance();
      assertNotNull(rebalance);
      assertEquals(dev.odin.ws.api.Rebalancer.Phase.Balanced, rebalance.getPhase(), rebalance.getMessage());
    });
    for (FakeShard f : shards.values()) {
      assertTrue(Math.abs(f.connections.get() - 500) <= 50, "shard " + f.index() + " holds " + f.connections.get());
    }
    assertEquals(List.of(), shards.get(2).sheds, "a new shard was asked to shed");
    assertEquals(List.of(), shards.get(3).sheds, "a new shard was asked to shed");
    long shed = shards.values().stream().flatMap(f -> f.sheds.stream()).mapToLong(Integer::longValue).sum();
    assertEquals(1000, shed, "more clients moved than the imbalance needed");
    assertTrue(shards.values().stream().flatMap(f -> f.sheds.stream()).allMatch(n -> n <= 400), "a round over 400");
    String token = dev.odin.ws.operator.model.ManagementTokenModel.tokenOf(client.secrets().inNamespace(NS)
        .withName(dev.odin.ws.operator.model.WsClusterNames.managementToken(get("spread"))).get()).orElseThrow();
    assertEquals("Bearer " + token, shards.get(0).shedAuthorization, "the shed carried the cluster's token");
    var status = get("spread").getStatus().getRebalance();
    assertEquals(1000L, status.getConnectionsShed());
    assertEquals(3, status.getRounds());
    List<String> reasons = client.v1().events().inNamespace(NS).list().getItems().stream()
        .map(e -> e.getReason()).toList();
    assertEquals(3, reasons.stream().filter("Rebalancing"::equals).count(), reasons.toString());
    assertTrue(reasons.contains("Rebalanced"), reasons.toString());
  }

  @Test
  void aScaleDownReversedMidDrainIsFinishedThenScaledBackUpWithFreshShards() {
    createStickyClusterOfThreeReady(2);
    scale("sticky", 1);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertNotNull(shards.get(2).drainRequestedAt);
      assertNotNull(shards.get(1).drainRequestedAt);
    });
    scale("sticky", 3);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("sticky");
      assertTrue(replicaHistory.stream().anyMatch(e -> e.getValue() == 1), "the started scale-down was not finished");
      assertEquals(3, statefulSet("sticky").getSpec().getReplicas());
      assertEquals(3, get("sticky").getStatus().getShards());
    });
    Instant drop = replicaHistory.stream().filter(e -> e.getValue() == 1).findFirst().orElseThrow().getKey();
    assertTrue(shards.get(1).drainRequestedAt.plusSeconds(2).isBefore(drop), "replicas dropped before the window");
    assertTrue(client.v1().events().inNamespace(NS).list().getItems().stream()
        .anyMatch(e -> "ScaleDownContinues".equals(e.getReason())), "no ScaleDownContinues event");
  }

  @Test
  void anOperatorThatTakesOverMidDrainKeepsTheDrainsWindowAndRemovesNoShardEarly() {
    createStickyClusterOfThreeReady(8);
    scale("sticky", 2);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertNotNull(shards.get(2).drainRequestedAt);
      assertNotNull(get("sticky").getStatus().getDrain(), "the drain is in the status");
      assertEquals(2, get("sticky").getStatus().getDrain().getShards().get(0).getIndex());
    });
    Instant since = Instant.parse(get("sticky").getStatus().getDrain().getShards().get(0).getSince());
    operator.close(); // the leader goes away mid-drain; another operator process takes over
    startAnotherOperator();
    await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
      markShardsReady("sticky");
      assertEquals(2, statefulSet("sticky").getSpec().getReplicas());
      assertNull(get("sticky").getStatus().getDrain(), "the finished drain stays in the status");
    });
    Instant drop = replicaHistory.stream().filter(e -> e.getValue() == 2).findFirst().orElseThrow().getKey();
    assertTrue(!drop.isBefore(since.plusSeconds(8)), "shard 2 removed at " + drop + ", before its window ended ("
        + since + " + 8 s): the new operator began a window of its own or none");
    assertEquals(List.of("1012"), shards.get(2).drainCodes, "the new operator asked the shard to drain again");
    assertNull(shards.get(1).drainRequestedAt, "a surviving shard was drained");
  }

  @Test
  void aShardRecordedAsAskedThatNeverHeardIsAskedByTheOperatorThatTakesOverAndGetsItsWholeWindow() {
    createStickyClusterOfThreeReady(6);
    // The leader recorded the ask in the status and died before the POST /drain left it.
    operator.close();
    scale("sticky", 2);
    Instant recorded = Instant.now().minusSeconds(5);
    DrainStatus drain = new DrainStatus(DrainStatus.Reason.ScaleDown, 3, 2, recorded.toString());
    drain.getShards().add(new DrainStatus.ShardDrain(2, recorded.toString()));
    new StatusApplier(client).apply(get("sticky"), s -> s.setDrain(drain)); // as the leader wrote it
    assertNull(shards.get(2).drainRequestedAt);

    startAnotherOperator();
    await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
      markShardsReady("sticky");
      assertEquals(2, statefulSet("sticky").getSpec().getReplicas());
      assertNull(get("sticky").getStatus().getDrain());
    });
    assertEquals(List.of("1012"), shards.get(2).drainCodes, "shard 2 was never asked, or asked more than once");
    Instant drop = replicaHistory.stream().filter(e -> e.getValue() == 2).findFirst().orElseThrow().getKey();
    Instant heard = shards.get(2).drainRequestedAt;
    assertTrue(!drop.isBefore(heard.plusSeconds(5)), "shard 2 removed at " + drop + ", " + heard + " it first heard "
        + "of its drain: its window ran from the recorded ask it never got");
    assertTrue(client.v1().events().inNamespace(NS).list().getItems().stream()
        .anyMatch(e -> "DrainingShard".equals(e.getReason()) && e.getMessage().contains("again")),
        "no event says shard 2 was asked again");
    assertNull(shards.get(1).drainRequestedAt, "a surviving shard was drained");
  }

  @Test
  void anOperatorStoppedMidReconcileFinishesItAndWritesItsStatusBeforeStopReturns() {
    client.resource(wsCluster("orders", 1)).create();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("orders");
      assertNotNull(get("orders").getStatus());
      assertEquals(10L, get("orders").getStatus().getConnections());
    });
    FakeShard shard = shards.get(0);
    shard.connectionsAfterDelay = 25; // only a held answer says 25
    shard.statsDelay = Duration.ofMillis(1000);
    await().atMost(Duration.ofSeconds(10)).untilTrue(shard.statsHeld);

    operator.close(); // SIGTERM to the operator's pod, while a reconcile waits for the shard's answer

    assertEquals(25L, get("orders").getStatus().getConnections(), "stop() returned before the reconcile in flight "
        + "wrote its status: that write would land after the operator stopped, over what a successor wrote since");
  }

  @Test
  void switchingToAPlainServiceBalancerDeletesEnvoyAndItsMetricsService() {
    client.resource(wsCluster("orders", 1)).create();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("orders");
      assertNotNull(client.apps().deployments().inNamespace(NS).withName("orders-envoy").get());
      Service metrics = client.services().inNamespace(NS).withName("orders-envoy-metrics").get();
      assertNotNull(metrics);
      assertEquals("envoy-metrics", metrics.getSpec().getPorts().get(0).getName());
    });

    edit("orders", c -> {
      BalancerSpec balancer = new BalancerSpec();
      balancer.setType(BalancerSpec.Type.Service);
      c.getSpec().setBalancer(balancer);
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertNull(client.services().inNamespace(NS).withName("orders-envoy-metrics").get());
      assertNull(client.apps().deployments().inNamespace(NS).withName("orders-envoy").get());
      assertNull(client.configMaps().inNamespace(NS).withName("orders-envoy").get());
      assertEquals("shard", client.services().inNamespace(NS).withName("orders").get().getSpec().getSelector()
          .get("app.kubernetes.io/component"));
    });
  }

  private List<HasMetadata> ownedObjects(WsCluster cr) {
    return List.of(
        client.configMaps().inNamespace(NS).withName(WsClusterNames.shardConfig(cr)).get(),
        client.configMaps().inNamespace(NS).withName(WsClusterNames.envoyConfig(cr)).get(),
        statefulSet(cr.getMetadata().getName()),
        client.services().inNamespace(NS).withName(WsClusterNames.headlessService(cr)).get(),
        client.services().inNamespace(NS).withName(WsClusterNames.publicService(cr)).get(),
        client.resources(PodDisruptionBudget.class).inNamespace(NS)
            .withName(WsClusterNames.podDisruptionBudget(cr)).get(),
        client.resources(Deployment.class).inNamespace(NS).withName(WsClusterNames.envoyDeployment(cr)).get(),
        client.services().inNamespace(NS).withName(WsClusterNames.envoyMetricsService(cr)).get());
  }

  private WsCluster wsCluster(String name, int shards) {
    WsCluster cr = new WsCluster();
    cr.getMetadata().setName(name);
    cr.getMetadata().setNamespace(NS);
    WsClusterSpec spec = new WsClusterSpec();
    spec.setShards(shards);
    KafkaSpec k = new KafkaSpec();
    k.setBootstrapServers(kafka.bootstrapServers());
    k.setTopics(List.of(new TopicSpec("prices", null)));
    spec.setKafka(k);
    cr.setSpec(spec);
    return cr;
  }

  private WsCluster get(String name) {
    return client.resources(WsCluster.class).inNamespace(NS).withName(name).get();
  }

  private StatefulSet statefulSet(String name) {
    return client.apps().statefulSets().inNamespace(NS).withName(name + "-shard").get();
  }

  /** A WsCluster "sticky" of 3 shards whose fake shards keep their clients: only the drain window ends a drain. */
  private void createStickyClusterOfThreeReady(int drainSeconds) {
    WsCluster sticky = wsCluster("sticky", 3);
    DrainSpec window = new DrainSpec();
    window.setSeconds(drainSeconds);
    sticky.getSpec().setDrain(window);
    client.resource(sticky).create();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      markShardsReady("sticky");
      assertNotNull(get("sticky").getStatus());
      assertEquals(3, get("sticky").getStatus().getReadyShards());
    });
  }

  /** Another operator process taking over the lease, with the same settings as the first. */
  private void startAnotherOperator() {
    operator = newOperator(OperatorConfig.from(Map.of(OperatorConfig.WATCH_NAMESPACES, NS,
        OperatorConfig.STATS_INTERVAL_SECONDS, "1", OperatorConfig.LEASE_NAMESPACE, NS,
        OperatorConfig.SHARD_IMAGE, "shard:test")));
    operator.start();
  }

  private void scale(String name, int shards) {
    edit(name, c -> c.getSpec().setShards(shards));
  }

  /** As a user's edit: on a conflict with the operator's own status write, read again and retry. */
  private void edit(String name, Consumer<WsCluster> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.resources(WsCluster.class).inNamespace(NS).withName(name).edit(c -> {
          change.accept(c);
          return c;
        });
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  /** The StatefulSet controller makes the shard pods; no kubelet runs them, so report them Ready in its place. */
  private void markShardsReady(String name) {
    WsCluster cr = get(name);
    if (cr != null) {
      KubeletStandIn.markReady(client, NS, WsClusterLabels.selector(cr, WsClusterLabels.SHARD));
    }
  }

  private void createConsumerGroups(String... groups) throws Exception {
    for (String group : groups) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      try (KafkaConsumer<byte[], byte[]> c =
          new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        TopicPartition tp = new TopicPartition("prices", 0);
        c.assign(List.of(tp));
        c.commitSync(Map.of(tp, new OffsetAndMetadata(0)));
      }
    }
    assertEquals(Set.of(groups), consumerGroups());
  }

  private Set<String> consumerGroups() throws Exception {
    try (var admin = kafka.admin()) {
      return admin.listGroups().all().get().stream().map(g -> g.groupId())
          .filter(g -> g.startsWith("prices-")).collect(Collectors.toSet());
    }
  }
}
