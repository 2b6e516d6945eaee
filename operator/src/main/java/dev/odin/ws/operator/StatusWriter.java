package dev.odin.ws.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Writes a status when JOSDK should not: without server-side apply JOSDK patches status with a JSON patch diffed
 * from its cache, which fabric8's mock misapplies when a list shrinks by several entries (and its merge patch
 * appends to lists). Then the status goes out as one JSON-patch {@code add /status} operation, which replaces it
 * whole on any API server.
 */
public final class StatusWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final boolean ssa;

  public StatusWriter(boolean ssa) {
    this.ssa = ssa;
  }

  /** True when the caller should hand {@code fresh} to JOSDK (patchStatus); false when it was written here. */
  public boolean delegateToJosdk(KubernetesClient client, WsCluster fresh) {
    if (ssa) {
      return true;
    }
    ObjectNode op = JSON.createObjectNode().put("op", "add").put("path", "/status");
    op.set("value", JSON.valueToTree(fresh.getStatus()));
    client.resources(WsCluster.class).inNamespace(fresh.getMetadata().getNamespace())
        .withName(fresh.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON), JSON.createArrayNode().add(op).toString());
    return false;
  }
}
