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
    Header override = headers.lastHeader(CHANNEL_HEADER);
    if (override != null && override.value() != null && override.value().length > 0) {
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
}
