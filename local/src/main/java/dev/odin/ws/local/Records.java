package dev.odin.ws.local;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Records addressed to a channel by name, whatever the topic's channel template says. */
final class Records {
  /** The record header that overrides a topic's channel template (DESIGN.md §3). */
  static final String CHANNEL_HEADER = "ws-channel";

  private Records() {}

  /**
   * Keyed by the channel, so that all records of a channel land in one partition and keep their order; the
   * header names the channel exactly, so the user subscribes to what they published to.
   */
  static ProducerRecord<String, String> forChannel(String topic, String channel, String payload) {
    ProducerRecord<String, String> record = new ProducerRecord<>(topic, channel, payload);
    record.headers().add(CHANNEL_HEADER, channel.getBytes(StandardCharsets.UTF_8));
    return record;
  }

  static KafkaProducer<String, String> producer(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    return new KafkaProducer<>(props);
  }
}
