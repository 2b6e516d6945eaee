package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pod's status as the kubelet writes it, through the status subresource: phase, the four conditions (with
 * lastTransitionTime kept until a condition flips), podIP(s), hostIP(s), startTime and one status per container.
 * The patch carries the pod's UID, so a status never lands on a new pod of the same name; it is sent only when the
 * status changed.
 */
final class PodStatusWriter {
  private final KubernetesClient client;
  private PodStatus lastWritten;

  PodStatusWriter(KubernetesClient client) {
    this.client = client;
  }

  static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The status for {@code containers}; {@code terminal}: the pod is gone for good (deleted), so are they. */
  PodStatus build(Pod pod, List<ContainerStatus> containers, String podIp, Instant startTime, boolean terminal) {
    PodStatus status = new PodStatus();
    String phase = phase(containers, pod.getSpec().getRestartPolicy(), terminal);
    status.setPhase(phase);
    status.setObservedGeneration(pod.getMetadata().getGeneration());
    status.setHostIP(NodeHeartbeat.NODE_IP);
    status.setHostIPs(List.of(new HostIP(NodeHeartbeat.NODE_IP)));
    if (podIp != null) {
      status.setPodIP(podIp);
      status.setPodIPs(List.of(new PodIP(podIp)));
    }
    status.setStartTime(time(startTime));
    status.setContainerStatuses(containers);
    List<String> unready = containers.stream().filter(c -> !Boolean.TRUE.equals(c.getReady()))
        .map(ContainerStatus::getName).toList();
    boolean completed = "Succeeded".equals(phase) || "Failed".equals(phase);
    String notReadyReason = completed ? "PodCompleted" : "ContainersNotReady";
    String notReadyMessage = completed ? null : "containers with unready status: " + unready;
    List<PodCondition> previous = Optional.ofNullable(lastWritten).or(() -> Optional.ofNullable(pod.getStatus()))
        .map(PodStatus::getConditions).orElse(List.of());
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition(previous, "PodScheduled", true, null, null));
    conditions.add(condition(previous, "Initialized", true, completed ? "PodCompleted" : null, null));
    conditions.add(condition(previous, "ContainersReady", unready.isEmpty(), notReadyReason, notReadyMessage));
    conditions.add(condition(previous, "Ready", unready.isEmpty(), notReadyReason, notReadyMessage));
    status.setConditions(conditions);
    return status;
  }

  /** Sends {@code status} unless it is what was last sent; false when the pod is gone or is another pod now. */
  boolean write(Pod pod, PodStatus status) {
    if (status.equals(lastWritten)) {
      return true;
    }
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("metadata", Map.of("uid", pod.getMetadata().getUid()));
    patch.put("status", status);
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
      lastWritten = status;
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422) {
        return false;
      }
      throw e;
    }
  }

  /** The kubelet's rule: Pending while a container has never run, then by restartPolicy once all have stopped. */
  static String phase(List<ContainerStatus> containers, String restartPolicy, boolean terminal) {
    int waiting = 0;
    int running = 0;
    int stopped = 0;
    int succeeded = 0;
    for (ContainerStatus c : containers) {
      if (c.getState().getRunning() != null) {
        running++;
      } else if (c.getState().getTerminated() != null) {
        stopped++;
        succeeded += c.getState().getTerminated().getExitCode() == 0 ? 1 : 0;
      } else if (c.getLastState() != null && c.getLastState().getTerminated() != null) {
        stopped++; // restarting: counts as stopped, not as never started
        succeeded += c.getLastState().getTerminated().getExitCode() == 0 ? 1 : 0;
      } else {
        waiting++;
      }
    }
    if (terminal && running == 0 && waiting == 0) {
      return stopped == succeeded ? "Succeeded" : "Failed";
    }
    if (waiting > 0) {
      return "Pending";
    }
    if (running > 0) {
      return "Running";
    }
    String policy = restartPolicy == null ? "Always" : restartPolicy;
    boolean allFinal = containers.stream().allMatch(c -> c.getState().getTerminated() != null);
    if ("Always".equals(policy) || !allFinal) {
      return "Running";
    }
    return stopped == succeeded ? "Succeeded" : "Failed";
  }

  private static PodCondition condition(List<PodCondition> previous, String type, boolean isTrue, String reason,
      String message) {
    String value = isTrue ? "True" : "False";
    String since = previous.stream().filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()))
        .map(PodCondition::getLastTransitionTime).filter(t -> t != null).findFirst()
        .orElse(time(Instant.now()));
    return new PodConditionBuilder().withType(type).withStatus(value).withLastTransitionTime(since)
        .withReason(isTrue ? null : reason).withMessage(isTrue ? null : message).build();
  }
}
