package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's Node and its heartbeat: registers the Node (Ready, address 127.0.0.1, capacity of this machine) and
 * renews its Lease in {@code kube-node-lease} every few seconds. Without renewals the controller manager's
 * node-lifecycle controller would mark the Node NotReady after its grace period (50 s) and evict its pods.
 */
final class NodeHeartbeat implements AutoCloseable {
  static final String NODE_IP = "127.0.0.1";
  static final String LEASE_NAMESPACE = "kube-node-lease";
  private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeat.class);
  private static final int LEASE_SECONDS = 40;
  private static final int RENEW_SECONDS = 5;
  private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  private final KubernetesClient client;
  private final String nodeName;
  private final ScheduledFuture<?> renewal;

  private NodeHeartbeat(KubernetesClient client, String nodeName, ScheduledExecutorService timer) {
    this.client = client;
    this.nodeName = nodeName;
    this.renewal = timer.scheduleWithFixedDelay(this::renew, RENEW_SECONDS, RENEW_SECONDS, TimeUnit.SECONDS);
  }

  /** Registers {@code nodeName} (replacing a Node of that name left by an earlier run) and starts its heartbeat. */
  static NodeHeartbeat register(KubernetesClient client, String nodeName, Map<String, Quantity> capacity,
      ScheduledExecutorService timer) {
    String now = PodStatusWriter.time(Instant.now());
    Node node = new NodeBuilder().withNewMetadata().withName(nodeName)
        .addToLabels("kubernetes.io/hostname", nodeName).addToLabels("kubernetes.io/os", "linux")
        .addToLabels("kubernetes.io/arch", System.getProperty("os.arch").replace("x86_64", "amd64"))
        .endMetadata()
        .withNewStatus()
        .withCapacity(capacity).withAllocatable(capacity)
        .addNewAddress().withType("InternalIP").withAddress(NODE_IP).endAddress()
        .addNewAddress().withType("Hostname").withAddress(nodeName).endAddress()
        .withConditions(condition("Ready", "True", "KubeletReady", "the process kubelet is posting ready status", now),
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", null, now),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", null, now),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", null, now))
        .withNewNodeInfo().withKubeletVersion(client.getKubernetesVersion().getGitVersion())
        .withContainerRuntimeVersion("process://" + Runtime.version()).withOperatingSystem("linux")
        .withArchitecture(System.getProperty("os.arch")).withOsImage("local processes")
        .withKernelVersion(System.getProperty("os.version")).withKubeProxyVersion("")
        .withBootID("").withMachineID("").withSystemUUID("").endNodeInfo()
        .endStatus().build();
    client.nodes().withName(nodeName).delete();
    client.nodes().withName(nodeName).waitUntilCondition(n -> n == null, 30, TimeUnit.SECONDS);
    Node created = client.nodes().resource(node).create();
    // Whether a Node keeps the status it is created with is the API server's business; through the status
    // subresource it certainly does. A merge patch: the controllers already write to the new Node (taints).
    client.nodes().withName(nodeName).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        Serialization.asJson(Map.of("status", node.getStatus())));
    client.leases().inNamespace(LEASE_NAMESPACE).withName(nodeName).delete();
    client.leases().inNamespace(LEASE_NAMESPACE).resource(new LeaseBuilder().withNewMetadata().withName(nodeName)
        .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(nodeName)
        .withUid(created.getMetadata().getUid()).endOwnerReference().endMetadata()
        .withNewSpec().withHolderIdentity(nodeName).withLeaseDurationSeconds(LEASE_SECONDS)
        .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).endSpec().build()).create();
    LOG.info("Node {} registered (capacity {}), heartbeat every {} s", nodeName, capacity, RENEW_SECONDS);
    return new NodeHeartbeat(client, nodeName, timer);
  }

  private void renew() {
    try {
      String now = MICRO_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
      client.leases().inNamespace(LEASE_NAMESPACE).withName(nodeName)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"renewTime\":\"" + now + "\"}}");
    } catch (KubernetesClientException e) {
      LOG.warn("Node {}: lease renewal failed, the next one retries: {}", nodeName, e.getMessage());
    }
  }

  /** Stops the heartbeat and removes the Lease and the Node (the pod GC then removes pods still bound to it). */
  @Override
  public void close() {
    renewal.cancel(false);
    try {
      client.leases().inNamespace(LEASE_NAMESPACE).withName(nodeName).delete();
      client.nodes().withName(nodeName).delete();
    } catch (KubernetesClientException e) {
      LOG.warn("Node {}: cannot remove it: {}", nodeName, e.getMessage());
    }
  }

  private static NodeCondition condition(String type, String status, String reason, String message, String now) {
    return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastHeartbeatTime(now).withLastTransitionTime(now).build();
  }
}
