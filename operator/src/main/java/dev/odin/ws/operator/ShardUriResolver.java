package dev.odin.ws.operator;

import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;

/** Where shard {@code index}'s management API is; tests point this at local servers. */
@FunctionalInterface
public interface ShardUriResolver {
  /** @param pod the shard's pod as the informer last saw it, or null; @return null when the shard cannot be reached */
  URI managementUri(WsCluster cr, int index, Pod pod);

  /**
   * The pod's IP from its status, port 9090: what the API server knows about the pod right now, with no DNS lookup
   * and no DNS cache that could point at a pod's previous address. Null while the pod has no IP (not running).
   */
  static ShardUriResolver podIp() {
    return (cr, index, pod) -> {
      String ip = pod == null || pod.getStatus() == null ? null : pod.getStatus().getPodIP();
      if (ip == null || ip.isBlank()) {
        return null;
      }
      return URI.create("http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + ShardEnv.ADMIN_PORT);
    };
  }
}
