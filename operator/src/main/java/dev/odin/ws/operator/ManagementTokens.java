package dev.odin.ws.operator;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.ManagementTokenModel;
import dev.odin.ws.operator.model.WsClusterNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * The management token of a WsCluster's shards, read from the Secret the operator made for it: at each drain, which
 * is rare, so a re-created Secret's new token is used at once.
 */
public class ManagementTokens {
  private final KubernetesClient client;

  public ManagementTokens(KubernetesClient client) {
    this.client = client;
  }

  /** Empty when the Secret does not exist (yet) or holds no token. */
  public Optional<String> of(WsCluster cr) {
    return ManagementTokenModel.tokenOf(client.secrets().inNamespace(cr.getMetadata().getNamespace())
        .withName(WsClusterNames.managementToken(cr)).get());
  }
}
