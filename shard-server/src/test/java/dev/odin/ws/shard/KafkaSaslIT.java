package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.Tokens;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafka.secretRef for real: a broker that requires SASL/SCRAM-SHA-256. The right credentials consume; a wrong password
 * leaves the shard not ready with the broker's reason; fixing the properties file (as the kubelet updates a mounted
 * Secret) brings it back without a restart, resumes included.
 */
class KafkaSaslIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String USER = "odin-ws";
  private static final String PASSWORD = "right-" + Tokens.hmacSecret();
  @TempDir static Path dir;
  private static EmbeddedKafkaBroker kafka;
  private static KafkaProducer<String, String> producer;
  private static WsClients clients;

  @BeforeAll
  static void start() throws IOException {
    kafka = EmbeddedKafkaBroker.startWithScram(USER, PASSWORD);
    kafka.createTopics(1, "events");
    Properties props = new Properties();
    props.load(new StringReader(EmbeddedKafkaBroker.scramClientProperties(USER, PASSWORD)));
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    clients = new WsClients();
  }

  @AfterAll
  static void stop() {
    clients.close();
    producer.close();
    kafka.close();
  }

  private static ShardServer shard(int index, Path properties) {
    return Shards.start(kafka.bootstrapServers(), "sasl", index, "events",
        Map.of("ODIN_WS_KAFKA_PROPERTIES_FILE", properties.toString()));
  }

  private static JsonNode publishAndReceive(WsClient client, String channel) throws Exception {
    String marker = "m" + System.nanoTime();
    producer.send(new ProducerRecord<>("events", channel, "{\"marker\":\"" + marker + "\"}")).get();
    return client.awaitMessage(m -> marker.equals(m.path("data").path("marker").asText()), WAIT);
  }

  @Test
  void withTheRightCredentialsTheShardConsumes() throws Exception {
    Path properties = Tokens.write(dir.resolve("right.properties"),
        EmbeddedKafkaBroker.scramClientProperties(USER, PASSWORD));
    try (ShardServer shard = shard(0, properties)) {
      Shards.awaitReady(shard);
      WsClient client = clients.connect(WsClients.uri(shard.wsPort()));
      client.subscribe("a");
      publishAndReceive(client, "a");
    }
  }

  @Test
  void aWrongPasswordIsNotReadyWithTheReasonAndRecoversWhenThePropertiesAreFixed() throws Exception {
    Path properties = Tokens.write(dir.resolve("secret.properties"),
        EmbeddedKafkaBroker.scramClientProperties(USER, "wrong-password"));
    try (ShardServer shard = shard(1, properties)) {
      HttpResponse<String> readyz = Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> Shards.get(shard, "/readyz"), r -> r.body().contains("credentials"));
      assertThat(readyz.statusCode()).isEqualTo(503);
      assertThat(readyz.body()).contains("Kafka refused the shard's credentials")
          .contains("SCRAM-SHA-256").contains("kafka.secretRef");
      assertThat(readyz.body()).doesNotContain("wrong-password");
      assertThat(Shards.get(shard, "/stats").body()).contains("\"ready\":false").contains("credentials");

      Tokens.write(properties, EmbeddedKafkaBroker.scramClientProperties(USER, PASSWORD));
      Shards.awaitReady(shard);
      WsClient client = clients.connect(WsClients.uri(shard.wsPort()));
      client.subscribe("b");
      JsonNode seen = publishAndReceive(client, "b");

      // A client that resumes from that record gets what came after it: the replay reader, made with the wrong
      // password at start, reads with the fixed properties too.
      producer.send(new ProducerRecord<>("events", "b", "{\"marker\":\"missed\"}")).get();
      WsClient resuming = clients.connect(WsClients.uri(shard.wsPort()));
      resuming.send("{\"type\":\"subscribe\",\"channels\":[\"b\"],\"since\":{\"b\":\""
          + seen.path("position").asText() + "\"},\"id\":7}");
      JsonNode subscribed = resuming.awaitReply("subscribed", WAIT);
      assertThat(subscribed.path("recovered").path("b").asBoolean()).as(subscribed.toString()).isTrue();
      resuming.awaitMessage(m -> "missed".equals(m.path("data").path("marker").asText()), WAIT);
    }
  }
}
