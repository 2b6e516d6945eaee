package dev.odin.ws.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Writes the status now, in the middle of a reconcile, with the same server-side-apply field manager JOSDK uses at
 * its end: for what must be in the API before the operator acts on it (a drain's start, consumer groups still to
 * delete), so that an operator that dies right after acting leaves a successor that knows.
 */
public final class StatusApplier {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubernetesClient client;

  public StatusApplier(KubernetesClient client) {
    this.client = client;
  }

  /** Applies {@code cr}'s status changed by {@code change}; returns the status written. */
  public WsClusterStatus apply(WsCluster cr, Consumer<WsClusterStatus> change) {
    WsClusterStatus status = copy(cr.getStatus());
    change.accept(status);
    client.resource(statusOnly(cr, status)).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY)
        .withFieldManager(WsClusterReconciler.NAME)
        .withForce(true)
        .build());
    return status;
  }

  /**
   * The WsCluster as the API server has it now. A reconcile's input may lag behind a status this class wrote a
   * moment ago; what is about to start a drain, or to write a status built on that input, reads it here first.
   */
  public WsCluster latest(WsCluster cr) {
    WsCluster now = client.resources(WsCluster.class).inNamespace(cr.getMetadata().getNamespace())
        .withName(cr.getMetadata().getName()).get();
    return now == null ? cr : now;
  }

  /** A name+namespace+status object, so the status patch carries nothing else. */
  static WsCluster statusOnly(WsCluster cr, WsClusterStatus status) {
    WsCluster out = new WsCluster();
    out.setMetadata(new ObjectMetaBuilder()
        .withName(cr.getMetadata().getName())
        .withNamespace(cr.getMetadata().getNamespace())
        .build());
    out.setStatus(status);
    return out;
  }

  static WsClusterStatus copy(WsClusterStatus status) {
    return JSON.convertValue(Optional.ofNullable(status).orElseGet(WsClusterStatus::new), WsClusterStatus.class);
  }
}
