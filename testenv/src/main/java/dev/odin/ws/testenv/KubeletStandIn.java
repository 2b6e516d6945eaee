package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Plays the kubelet's part for pods that no process runs: it reports them Running and Ready through the pod status
 * subresource, as a kubelet does once its containers pass their readiness probes. The StatefulSet and Deployment
 * controllers then count them ready. Tests that use it say so: nothing inside such a pod really runs.
 */
public final class KubeletStandIn {
  private KubeletStandIn() {}

  /** Reports every pod with {@code labels} in {@code namespace} Running and Ready; returns how many pods there are. */
  public static int markReady(KubernetesClient client, String namespace, Map<String, String> labels) {
    List<Pod> pods = client.pods().inNamespace(namespace).withLabels(labels).list().getItems();
    for (Pod pod : pods) {
      if (pod.getMetadata().getDeletionTimestamp() == null && !ready(pod)) {
        try {
          client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
              .editStatus(p -> {
                p.setStatus(readyStatus(p));
                return p;
              });
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404 && e.getCode() != 409) {
            throw e; // gone or changed meanwhile: the next call sees it again
          }
        }
      }
    }
    return pods.size();
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static PodStatus readyStatus(Pod pod) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    status.setPhase("Running");
    status.setPodIP("127.0.0.1");
    status.setHostIP("127.0.0.1");
    status.setStartTime(now);
    status.setConditions(List.of(condition("PodScheduled", now), condition("Initialized", now),
        condition("ContainersReady", now), condition("Ready", now)));
    status.setContainerStatuses(pod.getSpec().getContainers().stream().map(c -> new ContainerStatusBuilder()
        .withName(c.getName()).withImage(c.getImage()).withImageID("").withReady(true).withStarted(true)
        .withRestartCount(0).withNewState().withNewRunning().withStartedAt(now).endRunning().endState()
        .build()).toList());
    return status;
  }

  private static PodCondition condition(String type, String now) {
    return new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(now).build();
  }
}
