package dev.odin.ws.shard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardServerConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
    env.put("ODIN_WS_KAFKA_TOPICS", "prices");
    env.put("HOSTNAME", "prod-ws-7");
    return env;
  }

  private static ShardServerConfig parse(Map<String, String> env) {
    return ShardServerConfig.fromEnvironment(env);
  }

  @Test
  void defaultsComeFromOnePlaceAndTheShardIndexFromThePodName() {
    ShardServerConfig config = parse(minimal());
    assertThat(config.shardIndex()).isEqualTo(7);
    assertThat(config.cluster()).isEqualTo("local");
    assertThat(config.consumerGroup()).isEqualTo("local-7");
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.managementPort()).isEqualTo(9090);
    assertThat(config.maxConnections()).isEqualTo(10_000 * Runtime.getRuntime().availableProcessors());
    assertThat(config.topics()).containsExactly(new TopicRoute("prices", "{key}"));
    assertThat(config.toString()).contains("group=local-7", "topics=");
  }

  @Test
  void consumerGroupIsThePrefixDashIndex() {
    Map<String, String> env = minimal();
    env.put("ODIN_WS_CLUSTER", "eu");
    env.put("ODIN_WS_SHARD_INDEX", "3");
    env.put("ODIN_WS_KAFKA_CONSUMER_GROUP_PREFIX", "fanout");
    assertThat(parse(env).consumerGroup()).isEqualTo("fanout-3");
  }

  @Test
  void topicsCarryTheirChannelTemplates() {
    Map<String, String> env = minimal();
    env.put("ODIN_WS_KAFKA_TOPICS", "prices={key}, news={topic}.all ,raw");
    assertThat(parse(env).topics()).containsExactly(
        new TopicRoute("prices", "{key}"), new TopicRoute("news", "{topic}.all"), new TopicRoute("raw", "{key}"));
  }

  @Test
  void everyBadValueIsRefusedWithTheVariableNamed() {
    assertRefused("ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", null, "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS: is required");
    assertRefused("ODIN_WS_KAFKA_TOPICS", "bad topic!", "ODIN_WS_KAFKA_TOPICS: 'bad topic!' is not a valid");
    assertRefused("ODIN_WS_KAFKA_TOPICS", "a,a", "listed twice");
    assertRefused("ODIN_WS_KAFKA_TOPICS", "a={partition}", "may only use {key} and {topic}");
    assertRefused("ODIN_WS_PORT", "http", "ODIN_WS_PORT: 'http' is not a whole number");
    assertRefused("ODIN_WS_PORT", "70000", "ODIN_WS_PORT: 70000 is outside 0..65535");
    assertRefused("ODIN_WS_MAX_CONNECTIONS", "-1", "ODIN_WS_MAX_CONNECTIONS: -1 is outside");
    assertRefused("ODIN_WS_KAFKA_PROPERTIES_FILE", "/nonexistent/kafka.properties", "ODIN_WS_KAFKA_PROPERTIES_FILE: cannot read");
    assertRefused("ODIN_WS_WRITE_BUFFER_LOW_BYTES", "99999999", "must not exceed ODIN_WS_WRITE_BUFFER_HIGH_BYTES");
    assertRefused("ODIN_WS_IDLE_TIMEOUT_SECONDS", "10", "must be longer than ODIN_WS_PING_INTERVAL_SECONDS");
  }

  @Test
  void withoutAnIndexOrAnOrdinalHostnameTheIndexIsRequired() {
    Map<String, String> env = minimal();
    env.put("HOSTNAME", "laptop");
    assertThatThrownBy(() -> parse(env)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("ODIN_WS_SHARD_INDEX");
  }

  private static void assertRefused(String variable, String value, String message) {
    Map<String, String> env = minimal();
    if (value == null) {
      env.remove(variable);
    } else {
      env.put(variable, value);
    }
    assertThatThrownBy(() -> parse(env)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
  }
}
