package dev.odin.ws.testenv;

import static dev.odin.ws.testenv.PodProcesses.TIMEOUT;
import static dev.odin.ws.testenv.PodProcesses.condition;
import static dev.odin.ws.testenv.PodProcesses.containerStatus;
import static dev.odin.ws.testenv.PodProcesses.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a user sees of a container that fails: restarted, with restartCount and lastState to show for it, when its
 * liveness probe fails or it crashes (unless restartPolicy says otherwise), and not started, then restarted, while
 * its startup probe fails.
 */
@ExtendWith(ControlPlaneExtension.class)
class ProcessKubeletRestartIT {
  private static KubeControlPlane plane;
  private static String ns;
  private static KubernetesClient admin;
  private static ProcessKubelet kubelet;

  @BeforeAll
  static void start(KubeControlPlane controlPlane) {
    plane = controlPlane;
    ns = plane.createNamespace("kubelet-restart");
    admin = plane.adminClient();
    kubelet = PodProcesses.kubelet(plane, PodNetwork.loopback(), ns);
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
  }

  @Test
  void aFailingLivenessProbeKillsAndRestartsTheContainerAndCountsTheRestart() {
    admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("liveness").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(5L).addToContainers(PodProcesses.plainContainer())
        .endSpec().build()).create();
    kubelet.awaitReady(ns, "liveness", TIMEOUT);
    ProcessHandle first = kubelet.process(ns, "liveness", "app").orElseThrow();
    String ip = kubelet.podIp(ns, "liveness").orElseThrow();

    get(ip, "/set?alive=false");

    Pod restarted = await("restartCount 1 after the liveness failure").atMost(TIMEOUT).until(
        () -> admin.pods().inNamespace(ns).withName("liveness").get(),
        p -> containerStatus(p).getRestartCount() == 1 && containerStatus(p).getState().getRunning() != null);
    var last = containerStatus(restarted).getLastState().getTerminated();
    assertEquals(143, last.getExitCode(), "SIGTERM ended the first run: " + last);
    assertTrue(last.getMessage().contains("failed liveness probe"), last.getMessage());
    assertFalse(first.isAlive(), "the first process is gone");
    assertNotEquals(first.pid(), kubelet.process(ns, "liveness", "app").orElseThrow().pid());
    kubelet.awaitReady(ns, "liveness", TIMEOUT);
    assertEquals("alive=true", get(ip, "/healthz"), "the new process, at the same address");
  }

  @Test
  void aCrashedContainerIsRestartedUnderRestartPolicyAlwaysAndLeftFailedUnderNever() {
    for (String policy : List.of("Always", "Never")) {
      String name = "crash-" + policy.toLowerCase();
      admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
          .withNewSpec().withRestartPolicy(policy).addToContainers(PodProcesses.plainContainer()).endSpec().build())
          .create();
    }
    kubelet.awaitReady(ns, "crash-always", TIMEOUT);
    kubelet.awaitReady(ns, "crash-never", TIMEOUT);

    get(kubelet.podIp(ns, "crash-always").orElseThrow(), "/exit?code=3");
    get(kubelet.podIp(ns, "crash-never").orElseThrow(), "/exit?code=3");

    Pod always = await("crash-always restarted").atMost(TIMEOUT).until(
        () -> admin.pods().inNamespace(ns).withName("crash-always").get(),
        p -> containerStatus(p).getRestartCount() == 1 && KubeletStandIn.ready(p));
    assertEquals(3, containerStatus(always).getLastState().getTerminated().getExitCode());
    assertEquals("Error", containerStatus(always).getLastState().getTerminated().getReason());
    assertEquals("Running", always.getStatus().getPhase());

    Pod never = await("crash-never Failed").atMost(TIMEOUT).until(
        () -> admin.pods().inNamespace(ns).withName("crash-never").get(), p -> "Failed".equals(p.getStatus()
            .getPhase()));
    assertEquals(3, containerStatus(never).getState().getTerminated().getExitCode());
    assertEquals(0, containerStatus(never).getRestartCount());
    assertEquals("False", condition(never, "Ready"));
    assertTrue(kubelet.process(ns, "crash-never", "app").isEmpty(), "no process runs for it");
  }

  @Test
  void aContainerIsNotStartedNorProbedForReadinessUntilItsStartupProbePassesAndIsRestartedWhenItNeverDoes() {
    for (String name : List.of("slow-start", "never-starts")) {
      admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
          .withNewSpec().withTerminationGracePeriodSeconds(5L).addToContainers(PodProcesses.container()
              .addNewEnv().withName("START_DEAD").withValue("true").endEnv()
              .withStartupProbe(new ProbeBuilder().withNewHttpGet().withPath("/healthz").withNewPort("http")
                  .endHttpGet().withPeriodSeconds(1).withFailureThreshold(name.equals("slow-start") ? 600 : 3)
                  .build())
              .withLivenessProbe(null).build())
          .endSpec().build()).create();
    }

    Pod slow = await("slow-start running, its startup probe failing").atMost(TIMEOUT).ignoreExceptions().until(
        () -> admin.pods().inNamespace(ns).withName("slow-start").get(),
        p -> containerStatus(p).getState().getRunning() != null
            && get(p.getStatus().getPodIP(), "/healthz-checks").matches("[2-9]|\\d\\d+"));
    assertEquals(Boolean.FALSE, containerStatus(slow).getStarted());
    assertEquals("False", condition(slow, "Ready"));
    String ip = slow.getStatus().getPodIP();
    assertEquals("0", get(ip, "/readiness-checks"), "no readiness probe before the startup probe passes");

    get(ip, "/set?alive=true");

    Pod started = kubelet.awaitReady(ns, "slow-start", TIMEOUT);
    assertEquals(Boolean.TRUE, containerStatus(started).getStarted());
    assertEquals(0, containerStatus(started).getRestartCount());

    Pod restarted = await("never-starts restarted").atMost(TIMEOUT).until(
        () -> admin.pods().inNamespace(ns).withName("never-starts").get(),
        p -> containerStatus(p).getRestartCount() >= 1);
    var last = containerStatus(restarted).getLastState().getTerminated();
    assertTrue(last.getMessage().contains("failed startup probe"), last.getMessage());
    assertEquals(Boolean.FALSE, containerStatus(restarted).getStarted());
  }

  @Test
  void closingTheKubeletStopsItsPodsProcessesEvenOnesIgnoringSigtermAndRemovesItsNode() {
    String own = plane.createNamespace("kubelet-close");
    ProcessKubelet closing = ProcessKubelet.builder(plane).namespaces(own).network(PodNetwork.loopback())
        .runtime(PodProcesses.IMAGE_REPOSITORY, PodProcesses.runtime()).closeGrace(java.time.Duration.ofSeconds(1))
        .start();
    admin.pods().inNamespace(own).resource(new PodBuilder().withNewMetadata().withName("stubborn").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(600L).addToContainers(PodProcesses.container()
            .addNewEnv().withName("IGNORE_SIGTERM").withValue("true").endEnv().build()).endSpec().build()).create();
    closing.awaitReady(own, "stubborn", TIMEOUT);
    ProcessHandle process = closing.process(own, "stubborn", "app").orElseThrow();

    closing.close();

    assertFalse(process.isAlive(), "killed once the 1 s close grace ran out, not after the pod's 600 s");
    assertTrue(admin.nodes().withName(closing.nodeName()).get() == null, "the Node is gone");
    assertTrue(admin.pods().inNamespace(own).withName("stubborn").get() != null, "the pod object stays");
  }
}
