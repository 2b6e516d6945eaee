package dev.odin.ws.operator.model;

import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** The shards' common environment as a ConfigMap (the StatefulSet loads it with envFrom). */
public final class ShardConfigModel {
  private ShardConfigModel() {}

  public static ConfigMap desired(WsCluster cr) {
    return new ConfigMapBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.shardConfig(cr), WsClusterLabels.SHARD))
        .withData(new TreeMap<>(ShardEnv.common(cr)))
        .build();
  }

  /** Hash of the data, put on the pod template so that a config change rolls the shards. */
  public static String hash(Map<String, String> data) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      new TreeMap<>(data).forEach((k, v) -> sha.update((k + "=" + v + "\n").getBytes(StandardCharsets.UTF_8)));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
