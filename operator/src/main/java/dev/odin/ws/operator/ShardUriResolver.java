package dev.odin.ws.operator;

import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.WsClusterNames;
import java.net.URI;

/** Where shard {@code index}'s management API is; tests point this at local servers. */
@FunctionalInterface
public interface ShardUriResolver {
  URI managementUri(WsCluster cr, int index);

  /**
   * The pod's stable DNS name through the headless Service (which publishes not-ready pods too), port 9090. The
   * operator process should keep its DNS cache short (OperatorMain sets networkaddress.cache.ttl).
   */
  static ShardUriResolver podDns() {
    return (cr, index) -> URI.create("http://" + WsClusterNames.shardHost(cr, index) + ":" + ShardEnv.ADMIN_PORT);
  }
}
