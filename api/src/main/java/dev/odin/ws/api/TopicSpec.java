package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One fan-out topic and the template that names the channel of each of its records. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TopicSpec {
  @Required
  @Size(min = 1)
  @JsonPropertyDescription("Kafka topic name.")
  private String name;

  @Default("\"{key}\"")
  @JsonPropertyDescription(
      "Channel-name template of a record: `{key}` (the record key) and `{topic}` are replaced. "
          + "A record header `ws-channel` overrides it.")
  private String channel;

  public TopicSpec() {}

  public TopicSpec(String name, String channel) {
    this.name = name;
    this.channel = channel;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getChannel() {
    return channel;
  }

  public void setChannel(String channel) {
    this.channel = channel;
  }
}
