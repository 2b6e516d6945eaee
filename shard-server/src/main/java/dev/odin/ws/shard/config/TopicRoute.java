package dev.odin.ws.shard.config;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * One fan-out topic and the template that names a record's channel: {@code {key}} is the record
 * key, {@code {topic}} the topic name. A record header {@code ws-channel} overrides the template.
 */
public record TopicRoute(String topic, String channelTemplate) {
  public static final String CHANNEL_HEADER = "ws-channel";
  public static final String DEFAULT_TEMPLATE = "{key}";

  public TopicRoute {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("topic name is empty");
    }
    if (channelTemplate == null || channelTemplate.isBlank()) {
      channelTemplate = DEFAULT_TEMPLATE;
    }
  }

  public boolean usesKey() {
    return channelTemplate.contains("{key}");
  }

  /** The record's channel, or null when the template needs a key and the record has none. */
  public String channelOf(byte[] key, Headers headers) {
    Header override = override(headers);
    if (override != null) {
      return new String(override.value(), StandardCharsets.UTF_8);
    }
    if (DEFAULT_TEMPLATE.equals(channelTemplate)) {
      return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }
    if (usesKey() && key == null) {
      return null;
    }
    String channel = channelTemplate.replace("{topic}", topic);
    return usesKey() ? channel.replace("{key}", new String(key, StandardCharsets.UTF_8)) : channel;
  }

  /**
   * True when the record's channel comes from the {@code ws-channel} header. Otherwise, with a template using
   * {@code {key}}, it comes from the key, and the records of such a channel stay in the key's partition (Kafka's
   * default partitioner, while the topic keeps its partition count); a channel from the header or from a template
   * without {@code {key}} may come from any partition of the topic.
   */
  public boolean namedByHeader(Headers headers) {
    return override(headers) != null;
  }

  private static Header override(Headers headers) {
    Header header = headers.lastHeader(CHANNEL_HEADER);
    return header != null && header.value() != null && header.value().length > 0 ? header : null;
  }
}
