package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /drain and POST /shed close clients with 1012 so they reconnect elsewhere; POST /drain?code=1001 when the cluster goes away. */
class DrainIT {
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
    kafka.createTopics(1, "d");
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void drainMakesTheShardUnreadyClosesEveryClientWith1012AndRefusesNewOnes() throws Exception {
    try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "drain", 0, "d", Map.of());
        WsClients clients = new WsClients()) {
      Shards.awaitReady(shard);
      List<WsClient> connected = clients.connectMany(WsClients.uri(shard.wsPort()), 50, 50);
      assertThat(Shards.post(shard, "/drain").statusCode()).isEqualTo(202);
      assertThat(Shards.get(shard, "/readyz").statusCode()).isEqualTo(503);
      assertThat(Shards.get(shard, "/readyz").body()).contains("draining");
      for (WsClient client : connected) {
        assertThat(client.closeCode().get(60, TimeUnit.SECONDS)).isEqualTo(1012);
      }
      Throwable refused = clients.connectAsync(WsClients.uri(shard.wsPort()))
          .handle((c, e) -> e).get(60, TimeUnit.SECONDS);
      assertThat(WsClient.refusedStatus(refused)).isEqualTo(503);
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> shard.state().connections() == 0);
      assertThat(Shards.get(shard, "/stats").body()).contains("\"draining\":true", "\"connections\":0");
      assertThat(Shards.metric(shard, "ws_shard_draining", null)).isEqualTo(1.0);
      assertThat(Shards.metric(shard, "ws_connections_closed_total", "reason=\"drain\"")).isEqualTo(50.0);
    }
  }

  @Test
  void drainWithCode1001TellsEveryClientTheClusterIsGoingAwayAndASecondDrainClosesNobodyTwice() throws Exception {
    try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "retire", 0, "d", Map.of());
        WsClients clients = new WsClients()) {
      Shards.awaitReady(shard);
      List<WsClient> connected = clients.connectMany(WsClients.uri(shard.wsPort()), 20, 20);
      assertThat(Shards.post(shard, "/drain?code=1000").statusCode()).isEqualTo(400);
      assertThat(Shards.get(shard, "/readyz").statusCode()).isEqualTo(200); // a refused request changes nothing
      assertThat(Shards.post(shard, "/drain?code=1001").statusCode()).isEqualTo(202);
      assertThat(Shards.post(shard, "/drain").statusCode()).isEqualTo(202);
      for (WsClient client : connected) {
        assertThat(client.closeCode().get(60, TimeUnit.SECONDS)).isEqualTo(1001);
      }
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> shard.state().connections() == 0);
      assertThat(Shards.metric(shard, "ws_connections_closed_total", "reason=\"going_away\"")).isEqualTo(20.0);
      assertThat(Shards.metric(shard, "ws_connections_closed_total", "reason=\"drain\"")).isEqualTo(0.0);
    }
  }

  @Test
  void shedClosesExactlyTheRequestedNumberOfClientsAndTheShardStaysReady() throws Exception {
    try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "shed", 0, "d", Map.of());
        WsClients clients = new WsClients()) {
      Shards.awaitReady(shard);
      List<WsClient> connected = clients.connectMany(WsClients.uri(shard.wsPort()), 30, 30);
      assertThat(Shards.post(shard, "/shed?count=x").statusCode()).isEqualTo(400);
      assertThat(Shards.post(shard, "/shed?count=10").statusCode()).isEqualTo(202);
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> shard.state().connections() == 20);
      long shed = connected.stream().filter(c -> c.closeCode().getNow(0) == 1012).count();
      assertThat(shed).isEqualTo(10);
      assertThat(Shards.get(shard, "/readyz").statusCode()).isEqualTo(200);
    }
  }
}
