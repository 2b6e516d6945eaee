package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The Kafka fan-out topics, the brokers and the consumer-group naming. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KafkaSpec {
  @Required
  @Size(min = 1)
  @JsonPropertyDescription("Kafka broker list, `host:port[,host:port...]`.")
  private String bootstrapServers;

  @Required
  @Size(min = 1)
  @JsonPropertyDescription("The fan-out topics; every shard reads every record of every topic.")
  private List<TopicSpec> topics;

  @JsonPropertyDescription(
      "Consumer-group prefix; shard i uses group `<prefix>-<i>`. Default: the WsCluster name.")
  private String consumerGroupPrefix;

  @JsonPropertyDescription(
      "Optional Secret with Kafka client properties (SASL/TLS), mounted into every shard and used by the "
          + "operator's consumer-group cleanup.")
  private SecretKeyRef secretRef;

  public String getBootstrapServers() {
    return bootstrapServers;
  }

  public void setBootstrapServers(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  public List<TopicSpec> getTopics() {
    return topics;
  }

  public void setTopics(List<TopicSpec> topics) {
    this.topics = topics;
  }

  public String getConsumerGroupPrefix() {
    return consumerGroupPrefix;
  }

  public void setConsumerGroupPrefix(String consumerGroupPrefix) {
    this.consumerGroupPrefix = consumerGroupPrefix;
  }

  public SecretKeyRef getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretKeyRef secretRef) {
    this.secretRef = secretRef;
  }
}
