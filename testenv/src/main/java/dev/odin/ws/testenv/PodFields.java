package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The downward API: a pod's fields and its containers' resources as values, as env vars and volume files see them. */
final class PodFields {
  private static final Pattern SUBSCRIPT = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

  private PodFields() {}

  /** The value of a {@code fieldRef}; the API server has already refused paths the downward API does not know. */
  static String field(Pod pod, String fieldPath, String podIp) {
    Matcher subscript = SUBSCRIPT.matcher(fieldPath);
    if (subscript.matches()) {
      Map<String, String> map = "labels".equals(subscript.group(1))
          ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
      return map == null ? "" : map.getOrDefault(subscript.group(2), "");
    }
    return switch (fieldPath) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "metadata.labels" -> formatMap(pod.getMetadata().getLabels());
      case "metadata.annotations" -> formatMap(pod.getMetadata().getAnnotations());
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> Optional.ofNullable(pod.getSpec().getServiceAccountName()).orElse("");
      case "status.podIP", "status.podIPs" -> podIp;
      case "status.hostIP", "status.hostIPs" -> NodeHeartbeat.NODE_IP;
      default -> throw new PodSetupException("unsupported fieldRef " + fieldPath);
    };
  }

  /**
   * The value of a {@code resourceFieldRef}: the quantity divided by the divisor, rounded up, as the kubelet writes
   * it. A container without a limit gets the node's allocatable amount, as on a real node.
   */
  static String resource(Pod pod, String defaultContainer, ResourceFieldSelector ref, Map<String, Quantity> node) {
    String containerName = ref.getContainerName() == null || ref.getContainerName().isEmpty()
        ? defaultContainer : ref.getContainerName();
    Container container = pod.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(containerName)).findFirst()
        .orElseThrow(() -> new PodSetupException("resourceFieldRef names no container " + containerName));
    String[] parts = ref.getResource().split("\\.", 2);
    if (parts.length != 2) {
      throw new PodSetupException("unsupported resourceFieldRef " + ref.getResource());
    }
    Map<String, Quantity> declared = container.getResources() == null ? null
        : "limits".equals(parts[0]) ? container.getResources().getLimits() : container.getResources().getRequests();
    Quantity quantity = declared == null ? null : declared.get(parts[1]);
    if (quantity == null) {
      quantity = "limits".equals(parts[0]) ? node.get(parts[1]) : new Quantity("0");
    }
    if (quantity == null) {
      throw new PodSetupException("unsupported resourceFieldRef " + ref.getResource());
    }
    Quantity divisor = ref.getDivisor() == null ? new Quantity("1") : ref.getDivisor();
    BigDecimal value = Quantity.getAmountInBytes(quantity)
        .divide(Quantity.getAmountInBytes(divisor), 0, RoundingMode.CEILING);
    return value.toPlainString();
  }

  // The downward API's file format for a whole map: key="value" lines, sorted, values quoted as Go's %q would.
  private static String formatMap(Map<String, String> map) {
    if (map == null) {
      return "";
    }
    return new TreeMap<>(map).entrySet().stream()
        .map(e -> e.getKey() + "=\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")
            .replace("\n", "\\n") + "\"")
        .collect(Collectors.joining("\n"));
  }
}
