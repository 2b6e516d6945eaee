package dev.odin.ws.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.operator.model.WsClusterLabels;
import dev.odin.ws.operator.model.WsClusterNames;
import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import dev.odin.ws.testenv.KubeletStandIn;
import dev.odin.ws.testenv.KubernetesBinaries;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator as the chart deploys it, on a real control plane: installed with the real helm, run as two processes
 * with TokenRequest tokens of the chart's ServiceAccount (exactly the chart's RBAC), server-side apply as its write
 * path, one leader elected through a real Lease. One WsCluster goes through create, steady state, change, a user's
 * edit, scale-down, leader loss and mode Auto, in that order. No kubelet runs pods here: {@link KubeletStandIn} reports the shard
 * pods Ready; the shards' management APIs are not reachable, which the operator treats as empty shards.
 */
@ExtendWith(ControlPlaneExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorUnderChartIdentityIT {
  private static final String RELEASE = "odin-ws";
  private static final String FULLNAME = RELEASE + "-odin-ws-operator";
  /** JOSDK's field manager for everything the reconciler named "wscluster" applies. */
  private static final String FIELD_MANAGER = WsClusterReconciler.NAME;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static KubeControlPlane plane;
  private static KubernetesClient admin;
  private static EmbeddedKafkaBroker kafka;
  private static String operatorNs;
  private static String ns;
  private static Deployment chartDeployment;
  private static Path kubeconfig;
  private static OperatorProcess first;
  private static OperatorProcess second;
  private static Map<String, String> steadyVersions;

  @BeforeAll
  static void installChartAndStartTwoOperators(KubeControlPlane controlPlane) {
    plane = controlPlane;
    admin = plane.adminClient();
    kafka = EmbeddedKafkaBroker.start(Map.of("offsets.topic.num.partitions", "1"));
    kafka.createTopics(1, "prices");
    operatorNs = plane.createNamespace("odin-system");
    ns = plane.createNamespace("apps");
    plane.helm("install", RELEASE, KubernetesBinaries.repo().resolve("charts/odin-ws-operator").toString(),
        "--namespace", operatorNs, "--set", "replicas=2",
        "--set", "extraEnv[0].name=" + OperatorConfig.STATS_INTERVAL_SECONDS,
        "--set-string", "extraEnv[0].value=1").orFail();
    plane.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/" + WsCluster.CRD_NAME).orFail();
    chartDeployment = admin.apps().deployments().inNamespace(operatorNs).withName(FULLNAME).get();
    kubeconfig = plane.serviceAccountKubeconfig(operatorNs, chartDeployment.getSpec().getTemplate().getSpec()
        .getServiceAccountName());
    Path logs = Path.of("target", "operator-processes");
    first = OperatorProcess.start(chartDeployment, FULLNAME + "-first", kubeconfig, logs);
    await("the first operator holds the lease").atMost(TIMEOUT)
        .failFast("the first operator exited", () -> !first.isAlive())
        .until(() -> first.podName().equals(leaseHolder()));
    second = OperatorProcess.start(chartDeployment, FULLNAME + "-second", kubeconfig, logs);
  }

  @AfterAll
  static void stop() {
    for (OperatorProcess p : new OperatorProcess[] {first, second}) {
      if (p != null) {
        p.close();
      }
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  @Order(1)
  void underTheChartsIdentityAWsClusterIsAppliedIntoEveryChildOwnedByIt() {
    plane.kubectlWithInput(wsCluster(3), "apply", "-n", ns, "-f", "-").orFail();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      markShardsReady();
      assertEquals(8, children().size(), () -> "children so far: " + children().keySet() + "\n" + first.logTail());
    });
    WsCluster cr = prices();
    for (HasMetadata child : children().values()) {
      String what = child.getKind() + " " + child.getMetadata().getName();
      assertEquals(cr.getMetadata().getUid(), child.getMetadata().getOwnerReferences().get(0).getUid(), what);
      assertTrue(child.getMetadata().getOwnerReferences().get(0).getController(), what);
      assertTrue(appliedBy(child, FIELD_MANAGER, null), what + " not server-side applied by " + FIELD_MANAGER
          + ": " + child.getMetadata().getManagedFields());
    }
    // The StatefulSet controller made the shard pods from the template: the API server accepted its probes,
    // securityContext, resources and env.
    assertEquals(3, KubeletStandIn.markReady(admin, ns, WsClusterLabels.selector(cr, WsClusterLabels.SHARD)));
  }

  @Test
  @Order(2)
  void theStatusIsWrittenThroughTheStatusSubresource() {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      markShardsReady();
      WsCluster cr = prices();
      assertNotNull(cr.getStatus());
      assertEquals(3, cr.getStatus().getReadyShards());
      assertEquals("True", cr.getStatus().getConditions().get(0).getStatus());
      assertTrue(appliedBy(cr, FIELD_MANAGER, "status"), cr.getMetadata().getManagedFields().toString());
    });
    String table = plane.kubectl("get", "wsc", "-n", ns, "prices", "--no-headers").orFail().stdout();
    assertEquals(List.of("prices", "3", "3", "0"), List.of(table.trim().split("\\s+")).subList(0, 4), table);
  }

  @Test
  @Order(3)
  void furtherReconcilesLeaveEveryChildAndTheStatusUntouched() {
    markShardsReady();
    await().atMost(TIMEOUT).until(() -> "True".equals(prices().getStatus().getConditions().get(0).getStatus()));
    steadyVersions = versions();
    long before = first.reconciliations();
    await("five more reconciles").atMost(TIMEOUT).until(() -> first.reconciliations() >= before + 5);
    assertEquals(steadyVersions, versions(), "a reconcile with nothing to do wrote something");
  }

  @Test
  @Order(4)
  void aChangedSpecIsAppliedAndKubectlScaleReachesTheStatefulSet() {
    plane.kubectl("patch", "wsc", "prices", "-n", ns, "--type=merge", "-p", "{\"spec\":{\"drain\":{\"seconds\":4}}}")
        .orFail();
    plane.kubectl("scale", "wsc/prices", "-n", ns, "--replicas=4").orFail();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      markShardsReady();
      StatefulSet sts = statefulSet();
      assertEquals(4, sts.getSpec().getReplicas());
      assertEquals(19L, sts.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds(),
          "drain.seconds 4 + 15 s margin");
    });
  }

  @Test
  @Order(5)
  void aUsersEditOfAFieldTheOperatorOwnsIsPutBack() {
    String image = statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    plane.kubectl("set", "image", "statefulset/" + WsClusterNames.statefulSet(prices()), "shard=example/evil:1",
        "-n", ns).orFail();
    plane.kubectl("patch", "service", WsClusterNames.headlessService(prices()), "-n", ns, "--type=merge",
        "-p", "{\"spec\":{\"publishNotReadyAddresses\":false}}").orFail();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertEquals(image, statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
      assertEquals(Boolean.TRUE, admin.services().inNamespace(ns).withName(WsClusterNames.headlessService(prices()))
          .get().getSpec().getPublishNotReadyAddresses());
    });
  }

  @Test
  @Order(6)
  void aScaleDownDrainsThenLowersReplicasAndTheEventsShowInKubectlGetEvents() {
    plane.kubectl("scale", "wsc/prices", "-n", ns, "--replicas=2").orFail();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      markShardsReady();
      assertEquals(2, statefulSet().getSpec().getReplicas());
    });
    await().atMost(TIMEOUT).untilAsserted(() -> {
      String events = plane.kubectl("get", "events", "-n", ns, "--field-selector",
          "involvedObject.kind=WsCluster,involvedObject.name=prices", "-o",
          "custom-columns=REASON:.reason,MESSAGE:.message", "--no-headers").orFail().stdout();
      for (String reason : List.of("DrainingShard", "ShardsDrained", "ScaledDown")) {
        assertTrue(events.contains(reason), reason + " missing from:\n" + events);
      }
    });
  }

  @Test
  @Order(7)
  void killingTheLeaderHandsTheLeaseToTheOtherOperatorWhichThenReconciles() {
    assertEquals(first.podName(), leaseHolder());
    assertEquals(0, second.reconciliations(), "the standby reconciled while the leader held the lease");
    first.kill();
    await("the second operator takes the lease").atMost(TIMEOUT)
        .failFast("the second operator exited", () -> !second.isAlive())
        .until(() -> second.podName().equals(leaseHolder()));
    plane.kubectl("scale", "wsc/prices", "-n", ns, "--replicas=3").orFail();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      markShardsReady();
      assertEquals(3, statefulSet().getSpec().getReplicas(), second.logTail());
      assertEquals(3, prices().getStatus().getReadyShards());
    });
    assertTrue(second.reconciliations() > 0);
  }

  @Test
  @Order(8)
  void modeAutoWritesSpecShardsThroughTheScaleSubresourceWithTheChartsRbac() {
    // The shards' management APIs are unreachable here (no load): minShards 4 is what the autoscaler asks for.
    plane.kubectl("patch", "wsc", "prices", "-n", ns, "--type=merge", "-p",
        "{\"spec\":{\"autoscaling\":{\"mode\":\"Auto\",\"minShards\":4,\"scaleUpStabilizationSeconds\":0}}}")
        .orFail();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      markShardsReady();
      WsCluster cr = prices();
      assertEquals(4, cr.getSpec().getShards(), () -> String.valueOf(cr.getStatus().getConditions()));
      assertEquals(4, statefulSet().getSpec().getReplicas());
      assertTrue(cr.getMetadata().getManagedFields().stream().anyMatch(m -> "scale".equals(m.getSubresource())),
          cr.getMetadata().getManagedFields().toString());
    });
    String events = plane.kubectl("get", "events", "-n", ns, "--field-selector",
        "involvedObject.kind=WsCluster,involvedObject.name=prices,reason=Autoscaled", "-o",
        "custom-columns=MESSAGE:.message", "--no-headers").orFail().stdout();
    assertTrue(events.contains("spec.shards 3 -> 4"), events);
  }

  @Test
  @Order(9)
  void deletingTheWsClusterGarbageCollectsEveryChild() {
    List<HasMetadata> owned = List.copyOf(children().values());
    plane.kubectl("delete", "wsc", "prices", "-n", ns, "--wait=true", "--timeout=60s").orFail();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      for (HasMetadata child : owned) {
        assertNull(admin.resource(child).get(), child.getKind() + " " + child.getMetadata().getName() + " left");
      }
      assertTrue(admin.pods().inNamespace(ns).list().getItems().isEmpty(), "shard pods left");
    });
  }

  private static String wsCluster(int shards) {
    return """
        apiVersion: ws.odin.dev/v1alpha1
        kind: WsCluster
        metadata:
          name: prices
        spec:
          shards: %d
          drain:
            seconds: 2
          kafka:
            bootstrapServers: %s
            topics: [{name: prices}]
        """.formatted(shards, kafka.bootstrapServers());
  }

  private static WsCluster prices() {
    return admin.resources(WsCluster.class).inNamespace(ns).withName("prices").get();
  }

  private static StatefulSet statefulSet() {
    return admin.apps().statefulSets().inNamespace(ns).withName(WsClusterNames.statefulSet(prices())).get();
  }

  private static void markShardsReady() {
    WsCluster cr = prices();
    if (cr != null) {
      KubeletStandIn.markReady(admin, ns, WsClusterLabels.selector(cr, WsClusterLabels.SHARD));
    }
  }

  /** Every object the operator makes for "prices" that exists now, by kind and name. */
  private static Map<String, HasMetadata> children() {
    WsCluster cr = prices();
    Map<String, HasMetadata> out = new LinkedHashMap<>();
    List<HasMetadata> all = java.util.Arrays.asList(
        admin.configMaps().inNamespace(ns).withName(WsClusterNames.shardConfig(cr)).get(),
        admin.configMaps().inNamespace(ns).withName(WsClusterNames.envoyConfig(cr)).get(),
        admin.apps().statefulSets().inNamespace(ns).withName(WsClusterNames.statefulSet(cr)).get(),
        admin.services().inNamespace(ns).withName(WsClusterNames.headlessService(cr)).get(),
        admin.services().inNamespace(ns).withName(WsClusterNames.publicService(cr)).get(),
        admin.services().inNamespace(ns).withName(WsClusterNames.envoyMetricsService(cr)).get(),
        admin.policy().v1().podDisruptionBudget().inNamespace(ns).withName(WsClusterNames.podDisruptionBudget(cr))
            .get(),
        admin.apps().deployments().inNamespace(ns).withName(WsClusterNames.envoyDeployment(cr)).get());
    all.stream().filter(Objects::nonNull)
        .forEach(o -> out.put(o.getKind() + "/" + o.getMetadata().getName(), o));
    return out;
  }

  /** resourceVersion of the WsCluster and of every child. */
  private static Map<String, String> versions() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("WsCluster/prices", prices().getMetadata().getResourceVersion());
    children().forEach((k, v) -> out.put(k, v.getMetadata().getResourceVersion()));
    return out;
  }

  private static boolean appliedBy(HasMetadata object, String manager, String subresource) {
    return object.getMetadata().getManagedFields().stream().anyMatch((ManagedFieldsEntry m) ->
        manager.equals(m.getManager()) && "Apply".equals(m.getOperation())
            && Objects.equals(subresource, m.getSubresource()));
  }

  private static String leaseHolder() {
    Lease lease = admin.leases().inNamespace(operatorNs).withName("odin-ws-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }
}
