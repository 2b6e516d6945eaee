package dev.odin.ws.local;

import static dev.odin.ws.local.TestClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.Tokens;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/wscluster-local-auth.yaml as a user runs it: keys from its file, an HS256 token signed here with that
 * file, through the local balancer; anonymous readers of Public channels only; drain with the run's own management
 * token.
 */
class LocalAuthE2E {
  private static final Path EXAMPLE = Path.of("..", "examples", "wscluster-local-auth.yaml").toAbsolutePath().normalize();

  @Test
  @Timeout(240)
  void theLocalAuthExampleAuthenticatesChecksChannelsAndDrainsWithItsToken(@TempDir Path dir) throws Exception {
    String secret = Files.readString(EXAMPLE.getParent().resolve("keys/dev-hs256.secret")).strip();
    Console console = Console.create();
    try (LocalCluster cluster = TestClusters.start(EXAMPLE, dir.resolve("state"), console);
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(cluster.bootstrapServers())) {
      TestClusters.awaitReady(cluster, 2);
      URI uri = WsClients.uri(cluster.port());
      String token = Tokens.hs256(secret, Tokens.claims("42", Duration.ofMinutes(5), b -> b.audience("odin-ws-local")));

      WsClient user = clients.connectAsync(uri, new DefaultHttpHeaders(), null).orTimeout(30, TimeUnit.SECONDS).join();
      user.send("{\"type\":\"auth\",\"token\":\"" + token + "\",\"id\":1}");
      assertThat(user.awaitReply("authenticated", Duration.ofSeconds(30)).path("user").asText()).isEqualTo("42");
      user.subscribe("orders#42", "ETH-USD");
      WsClient anonymous = clients.connectAsync(uri, new DefaultHttpHeaders(), null)
          .orTimeout(30, TimeUnit.SECONDS).join();
      anonymous.subscribe("BTC-USD");
      anonymous.send("{\"type\":\"subscribe\",\"channels\":[\"ETH-USD\"],\"id\":2}");
      JsonNode refused = anonymous.awaitMessage(m -> m.path("id").asInt() == 2, Duration.ofSeconds(30));
      assertThat(refused.path("code").asText()).isEqualTo("forbidden");

      producer.send(new ProducerRecord<>("demo", "orders#42", "{\"n\":1}"));
      producer.send(new ProducerRecord<>("demo", "BTC-USD", "{\"n\":2}"));
      await(Duration.ofSeconds(60)).until(() -> user.messages("message").size() == 1
          && anonymous.messages("message").size() == 1);

      WsClient wrongKey = clients.connectAsync(uri, new DefaultHttpHeaders().set("Authorization", "Bearer "
          + Tokens.hs256(Tokens.hmacSecret(), Tokens.claims("42", Duration.ofMinutes(5), b -> b.audience("odin-ws-local")))),
          null).orTimeout(30, TimeUnit.SECONDS).join();
      assertThat(wrongKey.closeCode().orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo(4001);

      ShardView shard0 = TestClusters.shard(cluster, 0);
      HttpResponse<String> unauthorized = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + shard0.endpoint().orElseThrow().managementPort() + "/drain"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(unauthorized.statusCode()).isEqualTo(401);
      long pid = shard0.endpoint().orElseThrow().pid();
      assertThat(cluster.drain(0)).isTrue();
      await(Duration.ofSeconds(120)).until(() -> TestClusters.shard(cluster, 0),
          s -> s.ready() && s.endpoint().map(e -> e.pid() != pid).orElse(false));
      assertThat(console.lines()).noneMatch(l -> l.contains("did not accept /drain"));
    }
    TestClusters.assertNoProcessLeft();
  }
}
