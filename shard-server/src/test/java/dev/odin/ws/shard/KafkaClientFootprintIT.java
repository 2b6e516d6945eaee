package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Shards;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What a shard's Kafka clients leave running once it consumes: the consumer and nothing else. The admin client that
 * looked up the topic ids is closed (its thread gone), and the consumer's metrics are not registered as JMX MBeans
 * (the shard's /metrics reports what an operator needs).
 */
class KafkaClientFootprintIT {
  @Test
  void aConsumingShardKeepsNoAdminClientAndRegistersNoKafkaMetricMBeans() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      kafka.createTopics(2, "footprint");
      try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "footprint", 0, "footprint", Map.of())) {
        Shards.awaitReady(shard);
        assertThat(Shards.get(shard, "/stats").body()).as("the topic ids were looked up, so the shard consumes")
            .contains("\"assignedPartitions\":2");

        Awaitility.await("the admin client's thread ends once the topic ids are known")
            .atMost(Duration.ofSeconds(30))
            .until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().contains("odin-ws-admin-footprint-0")));

        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        assertThat(mbeans.queryNames(new ObjectName("kafka.consumer:type=app-info,id=odin-ws-live-footprint-0"), null))
            .as("the consumer itself is registered (Kafka always registers its app-info)").hasSize(1);
        assertThat(mbeans.queryNames(new ObjectName("kafka.consumer:client-id=odin-ws-live-footprint-0,*"), null))
            .as("no MBean per consumer metric group").isEmpty();
      }
    }
  }
}
