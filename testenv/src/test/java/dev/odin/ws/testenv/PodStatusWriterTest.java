package dev.odin.ws.testenv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pod phase a user reads in kubectl get pods, from its containers' states, as the kubelet computes it. */
class PodStatusWriterTest {
  private static final ContainerState NONE = new ContainerState();

  @Test
  void aPodIsPendingWhileAContainerHasNeverRunAndRunningOnceAllHave() {
    assertEquals("Pending", PodStatusWriter.phase(List.of(running(), waiting(NONE)), "Always", false));
    assertEquals("Running", PodStatusWriter.phase(List.of(running(), running()), "Always", false));
    assertEquals("Running", PodStatusWriter.phase(List.of(waiting(terminated(1))), "Always", false),
        "in back-off after a crash");
  }

  @Test
  void stoppedContainersEndThePodByItsRestartPolicy() {
    assertEquals("Failed", PodStatusWriter.phase(List.of(stopped(3)), "Never", false));
    assertEquals("Succeeded", PodStatusWriter.phase(List.of(stopped(0)), "Never", false));
    assertEquals("Succeeded", PodStatusWriter.phase(List.of(stopped(0)), "OnFailure", false));
    assertEquals("Running", PodStatusWriter.phase(List.of(waiting(terminated(3))), "OnFailure", false));
  }

  @Test
  void aDeletedPodEndsSucceededOnlyWhenEveryContainerExitedZero() {
    assertEquals("Succeeded", PodStatusWriter.phase(List.of(stopped(0), stopped(0)), "Always", true));
    assertEquals("Failed", PodStatusWriter.phase(List.of(stopped(0), stopped(137)), "Always", true));
  }

  private static ContainerStatus running() {
    return new ContainerStatusBuilder().withState(new ContainerStateBuilder().withNewRunning().endRunning().build())
        .withLastState(NONE).build();
  }

  private static ContainerStatus waiting(ContainerState last) {
    return new ContainerStatusBuilder().withState(new ContainerStateBuilder().withNewWaiting().endWaiting().build())
        .withLastState(last).build();
  }

  private static ContainerStatus stopped(int exitCode) {
    return new ContainerStatusBuilder().withState(terminated(exitCode)).withLastState(NONE).build();
  }

  private static ContainerState terminated(int exitCode) {
    return new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).endTerminated().build();
  }
}
