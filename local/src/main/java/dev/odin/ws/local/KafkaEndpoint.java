package dev.odin.ws.local;

import dev.odin.ws.api.TopicSpec;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The Kafka cluster of a local run: an embedded single-node broker when {@code spec.kafka.bootstrapServers} is
 * {@value #EMBEDDED}, else the user's brokers. Either way the spec's topics exist once this is open.
 */
final class KafkaEndpoint implements AutoCloseable {
  /** The bootstrap-servers value that asks local mode for its own broker (valid for the CRD, useless to it). */
  static final String EMBEDDED = "embedded";
  /** Partitions of topics created on the embedded broker: more than one, so ordering per key is exercised. */
  private static final int EMBEDDED_PARTITIONS = 3;

  private final Optional<EmbeddedKafkaBroker> broker;
  private final String bootstrapServers;
  private final Admin admin;

  private KafkaEndpoint(Optional<EmbeddedKafkaBroker> broker, String bootstrapServers) {
    this.broker = broker;
    this.bootstrapServers = bootstrapServers;
    this.admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
  }

  static boolean isEmbedded(WsCluster cr) {
    return EMBEDDED.equalsIgnoreCase(cr.getSpec().getKafka().getBootstrapServers().strip());
  }

  /** Starts the embedded broker if the spec asks for it, then creates every missing topic. */
  static KafkaEndpoint open(WsCluster cr) {
    KafkaEndpoint endpoint = isEmbedded(cr)
        ? embedded(EmbeddedKafkaBroker.start())
        : new KafkaEndpoint(Optional.empty(), cr.getSpec().getKafka().getBootstrapServers());
    try {
      endpoint.createTopics(WsClusterDefaults.topics(cr));
      return endpoint;
    } catch (RuntimeException e) {
      endpoint.close();
      throw e;
    }
  }

  private static KafkaEndpoint embedded(EmbeddedKafkaBroker broker) {
    return new KafkaEndpoint(Optional.of(broker), broker.bootstrapServers());
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  boolean embedded() {
    return broker.isPresent();
  }

  private void createTopics(List<TopicSpec> topics) {
    String[] names = topics.stream().map(TopicSpec::getName).toArray(String[]::new);
    if (broker.isPresent()) {
      broker.get().createTopics(EMBEDDED_PARTITIONS, names);
      return;
    }
    for (String name : names) {
      // The user's brokers pick partitions and replication: local mode has no business choosing them.
      try {
        admin.createTopics(List.of(new NewTopic(name, Optional.empty(), Optional.empty()))).all()
            .get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic " + name + " on " + bootstrapServers, e.getCause());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer in 60 s", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** The sum of the end offsets of every partition of {@code topics}: records ever written to them. */
  long endOffsets(Set<String> topics) throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().forEach(d ->
        d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
    return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
        .mapToLong(r -> r.offset()).sum();
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(5));
    broker.ifPresent(EmbeddedKafkaBroker::close);
  }
}
