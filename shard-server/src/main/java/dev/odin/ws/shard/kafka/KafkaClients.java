package dev.odin.ws.shard.kafka;

import dev.odin.ws.shard.config.ShardServerConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Client settings shared by the shard's Kafka clients. The user's properties file (SASL, TLS, tuning)
 * comes first; what the shard's correctness depends on is set over it.
 */
final class KafkaClients {
  private KafkaClients() {}

  /**
   * A byte-array consumer with the user's properties as they are now; the caller adds group and offset settings.
   */
  static Properties consumer(ShardServerConfig config, String role, Map<String, String> userProperties) {
    Properties props = common(config, role, userProperties);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  static Properties admin(ShardServerConfig config, Map<String, String> userProperties) {
    Properties props = common(config, "admin", userProperties);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return props;
  }

  private static Properties common(ShardServerConfig config, String role, Map<String, String> userProperties) {
    Properties props = new Properties();
    props.putAll(userProperties);
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(CommonClientConfigs.CLIENT_ID_CONFIG,
        "odin-ws-" + role + "-" + config.cluster() + "-" + config.shardIndex());
    props.putIfAbsent(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
    // The shard reports what an operator needs on its own /metrics. Kafka's defaults would also register an MBean
    // per client metric group (JMX is not exposed from a shard) and push the clients' metrics to brokers that ask
    // for them (KIP-714): classes, objects and a request loop in every shard, for metrics nobody reads. A user's
    // properties file can turn either back on.
    props.putIfAbsent(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, "");
    props.putIfAbsent(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "false");
    return props;
  }
}
