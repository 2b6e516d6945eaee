package dev.odin.ws.shard.kafka;

import dev.odin.ws.shard.config.ConfigException;
import dev.odin.ws.shard.config.ShardServerConfig;
import java.util.Map;

/**
 * The user's Kafka client properties (SASL, TLS) as they are now: the file of {@code kafka.secretRef} is re-read when
 * the broker refused the shard's credentials, so a Secret fixed by the user (the kubelet updates the mounted file)
 * takes effect without a restart. The live consumer and the replay reader each keep their own, on their own thread.
 */
final class KafkaCredentials {
  private final String file;
  private Map<String, String> current;

  KafkaCredentials(ShardServerConfig config) {
    this.file = config.kafkaPropertiesFile();
    this.current = config.kafkaProperties();
  }

  Map<String, String> current() {
    return current;
  }

  /** Re-reads the file; true when its settings changed. An unreadable file keeps the settings read before. */
  boolean refresh() {
    if (file.isEmpty()) {
      return false;
    }
    try {
      Map<String, String> read = ShardServerConfig.loadProperties(file);
      if (read.equals(current)) {
        return false;
      }
      current = read;
      return true;
    } catch (ConfigException e) {
      return false;
    }
  }
}
