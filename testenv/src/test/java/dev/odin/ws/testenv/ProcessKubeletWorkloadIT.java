package dev.odin.ws.testenv;

import static dev.odin.ws.testenv.PodProcesses.TIMEOUT;
import static dev.odin.ws.testenv.PodProcesses.condition;
import static dev.odin.ws.testenv.PodProcesses.containerStatus;
import static dev.odin.ws.testenv.PodProcesses.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the controllers and the pods' own code see of pods run by the process kubelet on a routed pod network
 * (10.244.0.0/24 made local on lo, so that EndpointSlices accept the addresses): a Ready Node with a renewed
 * Lease, EndpointSlices that follow readiness, images without a runtime reported Ready, a ServiceAccount token with
 * exactly its account's rights, and a clear wait for a missing ConfigMap.
 */
@ExtendWith(ControlPlaneExtension.class)
class ProcessKubeletWorkloadIT {
  private static KubeControlPlane plane;
  private static String ns;
  private static KubernetesClient admin;
  private static ProcessKubelet kubelet;

  @BeforeAll
  static void start(KubeControlPlane controlPlane) {
    plane = controlPlane;
    ns = plane.createNamespace("kubelet-workload");
    admin = plane.adminClient();
    kubelet = PodProcesses.kubelet(plane, PodNetwork.localRoute("10.244.0.0/24"), ns);
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
  }

  @Test
  void theNodeIsReadyAndItsLeaseIsRenewed() {
    CommandResult nodes = plane.kubectl("get", "node", kubelet.nodeName(), "--no-headers").orFail();
    assertTrue(nodes.stdout().contains(" Ready "), nodes.stdout());
    Lease lease = admin.leases().inNamespace("kube-node-lease").withName(kubelet.nodeName()).get();
    await("the Lease renewed").atMost(TIMEOUT).until(() -> !lease.getSpec().getRenewTime().equals(
        admin.leases().inNamespace("kube-node-lease").withName(kubelet.nodeName()).get().getSpec().getRenewTime()));
  }

  @Test
  void aPodWhoseReadinessProbeFailsGoesUnreadyAndItsEndpointSliceStopsServingIt() {
    admin.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().addToSelector("app", "web").addNewPort().withPort(80).withNewTargetPort("http").endPort()
        .endSpec().build()).create();
    admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("web")
        .addToLabels("app", "web").endMetadata().withNewSpec().addToContainers(PodProcesses.plainContainer())
        .endSpec().build()).create();
    Pod ready = kubelet.awaitReady(ns, "web", TIMEOUT);
    String ip = kubelet.podIp(ns, "web").orElseThrow();
    await("the EndpointSlice serves the pod").atMost(TIMEOUT).until(() -> endpoint(ip)
        .map(e -> Boolean.TRUE.equals(e.getConditions().getReady())).orElse(false));

    get(ip, "/set?ready=false");

    Pod unready = await("the pod unready").atMost(TIMEOUT).until(
        () -> admin.pods().inNamespace(ns).withName("web").get(), p -> "False".equals(condition(p, "Ready")));
    assertEquals(transition(ready, "Initialized"), transition(unready, "Initialized"),
        "a condition that did not flip keeps its lastTransitionTime");
    await("the EndpointSlice no longer serves it").atMost(TIMEOUT).until(() -> endpoint(ip)
        .map(e -> Boolean.FALSE.equals(e.getConditions().getReady())).orElse(true));
    assertTrue(kubelet.process(ns, "web", "app").orElseThrow().isAlive(), "unready is not restarted");

    get(ip, "/set?ready=true");
    await("served again").atMost(TIMEOUT).until(() -> endpoint(ip)
        .map(e -> Boolean.TRUE.equals(e.getConditions().getReady())).orElse(false));
  }

  @Test
  void aContainerWhoseImageHasNoRuntimeIsReportedReadyWithoutAProcess() {
    admin.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata().withName("envoy")
        .endMetadata().withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "envoy").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "envoy").endMetadata().withNewSpec()
        .addNewContainer().withName("envoy").withImage("envoyproxy/envoy:v1.31.0")
        .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withNewPort(9901).endHttpGet().endReadinessProbe()
        .endContainer().endSpec().endTemplate().endSpec().build()).create();
    Pod pod = await("the envoy pod Ready").atMost(TIMEOUT).until(
        () -> admin.pods().inNamespace(ns).withLabel("app", "envoy").list().getItems(),
        pods -> pods.size() == 1 && KubeletStandIn.ready(pods.get(0))).get(0);
    String name = pod.getMetadata().getName();
    assertTrue(kubelet.process(ns, name, "envoy").isEmpty(), "nothing runs for it");
    assertNull(containerStatus(pod).getContainerID(), "no container ID: there is no process");
    assertTrue(kubelet.podIp(ns, name).isPresent(), "it still has its own address");
  }

  @Test
  void theServiceAccountTokenLetsTheProcessDoExactlyWhatItsAccountMay() {
    admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata()
        .withName("reader").endMetadata().build()).create();
    admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName("read-config")
        .endMetadata().addNewRule().withApiGroups("").withResources("configmaps").withVerbs("get", "list").endRule()
        .build()).create();
    admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata()
        .withName("reader-reads-config").endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role",
            "read-config").addNewSubject().withKind("ServiceAccount").withName("reader").withNamespace(ns)
        .endSubject().build()).create();
    admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("reader").endMetadata()
        .withNewSpec().withServiceAccountName("reader").addToContainers(PodProcesses.plainContainer()).endSpec()
        .build()).create();
    kubelet.awaitReady(ns, "reader", TIMEOUT);
    String ip = kubelet.podIp(ns, "reader").orElseThrow();

    String allowed = get(ip, "/api?path=" + PodProcesses.encode("/api/v1/namespaces/" + ns + "/configmaps"));
    assertTrue(allowed.startsWith("200\n") && allowed.contains("\"kind\":\"ConfigMapList\""), allowed);
    String refused = get(ip, "/api?path=" + PodProcesses.encode("/api/v1/namespaces/" + ns + "/secrets"));
    assertTrue(refused.startsWith("403\n"), refused);
    assertTrue(refused.contains("system:serviceaccount:" + ns + ":reader"), refused);
  }

  @Test
  void aPodWaitsWithAClearReasonForAMissingConfigMapAndStartsOnceItExists() {
    admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("early").endMetadata()
        .withNewSpec().addToContainers(PodProcesses.container().addNewEnv().withName("SETTING").withNewValueFrom()
            .withNewConfigMapKeyRef("setting", "late", false).endValueFrom().endEnv().build())
        .endSpec().build()).create();
    Pod waiting = await("the container waiting").atMost(TIMEOUT).until(
        () -> admin.pods().inNamespace(ns).withName("early").get(),
        p -> p.getStatus().getContainerStatuses() != null && !p.getStatus().getContainerStatuses().isEmpty()
            && containerStatus(p).getState().getWaiting() != null
            && "CreateContainerConfigError".equals(containerStatus(p).getState().getWaiting().getReason()));
    assertEquals("configmap \"late\" not found", containerStatus(waiting).getState().getWaiting().getMessage());
    assertEquals("Pending", waiting.getStatus().getPhase());
    assertTrue(kubelet.process(ns, "early", "app").isEmpty());

    admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("late")
        .endMetadata().addToData("setting", "now there").build()).create();

    kubelet.awaitReady(ns, "early", TIMEOUT);
    assertTrue(get(kubelet.podIp(ns, "early").orElseThrow(), "/env").contains("SETTING=now+there"));
  }

  @Test
  void aPodWithInitContainersWaitsAndSaysTheProcessKubeletDoesNotRunThem() {
    admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("with-init").endMetadata()
        .withNewSpec().addNewInitContainer().withName("migrate").withImage(PodProcesses.IMAGE).endInitContainer()
        .addToContainers(PodProcesses.plainContainer()).endSpec().build()).create();
    Pod waiting = await("the container waiting").atMost(TIMEOUT).until(
        () -> admin.pods().inNamespace(ns).withName("with-init").get(),
        p -> p.getStatus().getContainerStatuses() != null && !p.getStatus().getContainerStatuses().isEmpty()
            && containerStatus(p).getState().getWaiting() != null
            && containerStatus(p).getState().getWaiting().getMessage() != null);
    assertEquals("the process kubelet does not run init containers",
        containerStatus(waiting).getState().getWaiting().getMessage());
    assertEquals("Pending", waiting.getStatus().getPhase());
  }

  private static String transition(Pod pod, String condition) {
    return pod.getStatus().getConditions().stream().filter(c -> condition.equals(c.getType())).findFirst()
        .orElseThrow().getLastTransitionTime();
  }

  private static Optional<Endpoint> endpoint(String ip) {
    return admin.discovery().v1().endpointSlices().inNamespace(ns).withLabel("kubernetes.io/service-name", "web")
        .list().getItems().stream().map(EndpointSlice::getEndpoints).filter(e -> e != null)
        .flatMap(List::stream).filter(e -> e.getAddresses().contains(ip)).findFirst();
  }
}
