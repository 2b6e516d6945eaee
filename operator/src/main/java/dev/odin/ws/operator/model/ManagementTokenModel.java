package dev.odin.ws.operator.model;

import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The Secret holding the bearer token that the shards' {@code POST /drain} and {@code /shed} require: mounted into
 * every shard, read by the operator when it drains. Created once with a random token and never rewritten, so a
 * reconcile does not rotate it under running shards; deleting the Secret makes a new one (and a new token, which the
 * shards read at their next command).
 */
public final class ManagementTokenModel {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ManagementTokenModel() {}

  public static Secret desired(WsCluster cr, String token) {
    return new SecretBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.managementToken(cr), WsClusterLabels.SHARD))
        .withType("Opaque")
        .withData(Map.of(ShardEnv.MANAGEMENT_TOKEN_KEY,
            Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))))
        .build();
  }

  /** 256 random bits, base64url. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The token a Secret holds; empty when it has none. */
  public static Optional<String> tokenOf(Secret secret) {
    if (secret == null || secret.getData() == null || secret.getData().get(ShardEnv.MANAGEMENT_TOKEN_KEY) == null) {
      return Optional.empty();
    }
    return Optional.of(new String(Base64.getDecoder().decode(secret.getData().get(ShardEnv.MANAGEMENT_TOKEN_KEY)),
        StandardCharsets.UTF_8).strip());
  }
}
