package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input from a client gets the documented reply or close code, and costs nothing else: the
 * same client's other subscriptions and the other clients keep receiving.
 */
class ClientProtocolIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static EmbeddedKafkaBroker kafka;
  private static ShardServer shard;
  private static KafkaProducer<String, String> producer;
  private static WsClients clients;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
    kafka.createTopics(1, "events");
    shard = Shards.start(kafka.bootstrapServers(), "proto", 0, "events", Map.of(
        "ODIN_WS_MAX_FRAME_BYTES", "1024",
        "ODIN_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION", "3",
        "ODIN_WS_INBOUND_MESSAGES_PER_SECOND", "5",
        "ODIN_WS_INBOUND_BURST", "10",
        "ODIN_WS_MAX_CONNECTIONS", "20",
        "ODIN_WS_HANDSHAKE_TIMEOUT_SECONDS", "1",
        "ODIN_WS_PING_INTERVAL_SECONDS", "1",
        "ODIN_WS_IDLE_TIMEOUT_SECONDS", "3"));
    Shards.awaitReady(shard);
    producer = Shards.producer(kafka.bootstrapServers());
    clients = new WsClients();
  }

  @AfterAll
  static void stop() {
    clients.close();
    producer.close();
    shard.close();
    kafka.close();
  }

  private static WsClient subscribedClient(String channel) {
    WsClient client = clients.connect(WsClients.uri(shard.wsPort()));
    client.subscribe(channel);
    return client;
  }

  /** Publishes one record to {@code channel} and waits until {@code client} receives it. */
  private static void assertStillReceives(WsClient client, String channel) {
    String marker = "m" + System.nanoTime();
    Shards.sendAndWait(producer, new ProducerRecord<>("events", channel, "{\"marker\":\"" + marker + "\"}"));
    client.awaitMessage(m -> marker.equals(m.path("data").path("marker").asText()), WAIT);
  }

  @Test
  void malformedJsonGetsAnErrorReplyAndTheConnectionKeepsItsSubscriptions() {
    WsClient client = subscribedClient("a");
    client.send("{not json");
    JsonNode error = client.awaitReply("error", WAIT);
    assertThat(error.path("code").asText()).isEqualTo("malformed_json");
    assertStillReceives(client, "a");
  }

  @Test
  void unknownTypeIsNamedInTheErrorAndTheIdIsEchoed() {
    WsClient client = subscribedClient("b");
    client.send("{\"type\":\"publish\",\"id\":7}");
    JsonNode error = client.awaitReply("error", WAIT);
    assertThat(error.path("code").asText()).isEqualTo("unknown_type");
    assertThat(error.path("message").asText()).contains("publish");
    assertThat(error.path("id").asInt()).isEqualTo(7);
    assertStillReceives(client, "b");
  }

  @Test
  void binaryFramesAndMissingChannelsGetStableErrorCodes() {
    WsClient client = subscribedClient("c");
    client.sendFrame(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
    client.awaitMessage(m -> "binary_not_supported".equals(m.path("code").asText()), WAIT);
    client.send("{\"type\":\"subscribe\",\"channels\":[]}");
    client.awaitMessage(m -> "invalid_message".equals(m.path("code").asText()), WAIT);
    client.send("{\"type\":\"subscribe\",\"channels\":[42]}");
    client.awaitMessage(m -> "invalid_channel".equals(m.path("code").asText()), WAIT);
    assertStillReceives(client, "c");
  }

  @Test
  void pingIsAnsweredWithPongCarryingServerTimeAndTheShardIndex() {
    WsClient client = clients.connect(WsClients.uri(shard.wsPort()));
    long before = System.currentTimeMillis();
    client.send("{\"type\":\"ping\",\"id\":\"p1\"}");
    JsonNode pong = client.awaitReply("pong", WAIT);
    assertThat(pong.path("id").asText()).isEqualTo("p1");
    assertThat(pong.path("ts").asLong()).isGreaterThanOrEqualTo(before);
    assertThat(pong.path("shard").isInt()).as(pong.toString()).isTrue();
    assertThat(pong.path("shard").asInt()).isEqualTo(shard.state().config().shardIndex());
  }

  @Test
  void tooManySubscriptionsAreRefusedWholeAndEarlierOnesKept() {
    WsClient client = subscribedClient("d");
    client.send("{\"type\":\"subscribe\",\"channels\":[\"e\",\"f\",\"g\"],\"id\":2}");
    JsonNode error = client.awaitReply("error", WAIT);
    assertThat(error.path("code").asText()).isEqualTo("too_many_subscriptions");
    assertStillReceives(client, "d");
    Shards.sendAndWait(producer, new ProducerRecord<>("events", "e", "{\"x\":1}"));
    assertStillReceives(client, "d");
    assertThat(client.messages("message")).noneMatch(m -> "e".equals(m.path("channel").asText()));
  }

  @Test
  void unsubscribeStopsDeliveryOfThatChannelOnly() {
    WsClient client = subscribedClient("h");
    client.subscribe("i");
    client.send("{\"type\":\"unsubscribe\",\"channels\":[\"h\"]}");
    client.awaitReply("unsubscribed", WAIT);
    Shards.sendAndWait(producer, new ProducerRecord<>("events", "h", "{\"gone\":true}"));
    assertStillReceives(client, "i");
    assertThat(client.messages("message")).noneMatch(m -> "h".equals(m.path("channel").asText()));
  }

  @Test
  void oversizedFrameClosesWith1009AndOtherClientsKeepReceiving() throws Exception {
    WsClient bystander = subscribedClient("j");
    WsClient offender = subscribedClient("j");
    offender.sendFrame(new TextWebSocketFrame("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(4096) + "\"}"));
    assertThat(offender.closeCode().get(20, TimeUnit.SECONDS)).isEqualTo(1009);
    assertStillReceives(bystander, "j");
  }

  @Test
  void floodingGetsRateLimitedRepliesThenAPolicyClose() throws Exception {
    WsClient bystander = subscribedClient("k");
    WsClient flooder = clients.connect(WsClients.uri(shard.wsPort()));
    for (int i = 0; i < 40 && flooder.isOpen(); i++) {
      flooder.channel().writeAndFlush(new TextWebSocketFrame("{\"type\":\"ping\"}"));
    }
    assertThat(flooder.closeCode().get(20, TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(flooder.messages("error")).isNotEmpty()
        .allMatch(m -> "rate_limited".equals(m.path("code").asText()));
    assertStillReceives(bystander, "k");
  }

  @Test
  void aClientThatAnswersTheServersPingsStaysConnectedPastTheIdleTimeout() {
    WsClient client = subscribedClient("q");
    // Netty's client answers pings with pongs; it sends nothing else for longer than the 3 s idle timeout.
    Awaitility.await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(30)).until(client::isOpen);
    assertStillReceives(client, "q");
  }

  @Test
  void aClientThatStopsReadingIsClosedAsIdleWhileOthersKeepReceiving() throws Exception {
    WsClient bystander = subscribedClient("r");
    WsClient silent = subscribedClient("r");
    double idleBefore = Shards.metric(shard, "ws_connections_closed_total", "reason=\"idle\"");
    silent.channel().config().setAutoRead(false); // reads nothing, so never answers a ping
    Awaitility.await("the shard closed the silent client as idle").atMost(WAIT)
        .until(() -> Shards.metric(shard, "ws_connections_closed_total", "reason=\"idle\"") > idleBefore);
    silent.channel().config().setAutoRead(true);
    assertThat(silent.closeCode().get(20, TimeUnit.SECONDS)).isEqualTo(1000);
    assertStillReceives(bystander, "r");
  }

  @Test
  void aForgedResumePositionIsRefusedWithInvalidPosition() {
    WsClient client = clients.connect(WsClients.uri(shard.wsPort()));
    client.send("{\"type\":\"subscribe\",\"channels\":[\"l\"],\"since\":{\"l\":\"../../etc\"}}");
    assertThat(client.awaitReply("error", WAIT).path("code").asText()).isEqualTo("invalid_position");
  }

  @Test
  void plainHttpRequestsGetAnExplanationInsteadOfAnUpgrade() {
    HttpResponse<String> notFound = Shards.send(shard.wsPort(), "/other");
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.body()).contains("/ws");
    HttpResponse<String> notUpgrade = Shards.send(shard.wsPort(), "/ws");
    assertThat(notUpgrade.statusCode()).isEqualTo(400);
    assertThat(notUpgrade.body()).contains("WebSocket upgrade");
  }

  @Test
  void aConnectionThatNeverSendsItsRequestIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", shard.wsPort())) {
      socket.setSoTimeout(20_000);
      InputStream in = socket.getInputStream();
      assertThat(in.read()).as("server closed the silent connection").isEqualTo(-1);
    }
    assertThat(Shards.metric(shard, "ws_connections_rejected_total", "reason=\"handshake_timeout\"")).isPositive();
  }

  @Test
  void upgradesBeyondMaxConnectionsGet503AndTheShardReportsFull() {
    List<WsClient> held = new java.util.ArrayList<>();
    try {
      Throwable refused = null;
      for (int i = 0; i < 25 && refused == null; i++) {
        try {
          held.add(clients.connectAsync(WsClients.uri(shard.wsPort())).get(20, TimeUnit.SECONDS));
        } catch (Exception e) {
          refused = e;
        }
      }
      assertThat(refused).as("the 21st connection is refused").isNotNull();
      assertThat(WsClient.refusedStatus(refused)).isEqualTo(503);
      assertThat(Shards.get(shard, "/readyz").statusCode()).isEqualTo(503);
      assertThat(Shards.get(shard, "/readyz").body()).contains("full");
    } finally {
      held.forEach(WsClient::close);
    }
    Awaitility.await().atMost(WAIT).until(() -> Shards.get(shard, "/readyz").statusCode() == 200);
  }

  @Test
  void metricsCarryEveryDesignNameAndEverySeriesHasClusterAndShardLabels() {
    WsClient client = subscribedClient("metrics");
    assertStillReceives(client, "metrics");
    String scrape = Shards.get(shard, "/metrics").body();
    for (String name : List.of("ws_connections_active", "ws_connections_opened_total", "ws_connections_closed_total",
        "ws_connections_rejected_total", "ws_subscriptions_active", "ws_messages_delivered_total",
        "ws_messages_dropped_total", "ws_slow_clients_disconnected_total", "ws_kafka_records_consumed_total",
        "ws_kafka_consumer_lag_records", "ws_delivery_latency_seconds_bucket", "ws_kafka_record_age_seconds_bucket",
        "ws_recovery_requests_total",
        "ws_shard_draining", "ws_shard_capacity_connections", "jvm_memory_used_bytes",
        "netty_allocator_memory_used", "process_resident_memory_bytes")) {
      assertThat(scrape).as(name).containsPattern("(?m)^" + name + "\\{");
    }
    for (String line : scrape.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        assertThat(line).as("every series is labelled").contains("cluster=\"proto\"", "shard=\"0\"");
      }
    }
    assertThat(scrape).contains("ws_kafka_records_consumed_total{cluster=\"proto\",shard=\"0\",topic=\"events\"}");
    Matcher sockets = Pattern.compile("(?m)^netty_allocator_memory_used\\{"
        + "allocator_type=\"AdaptiveByteBufAllocator\",[^}]*memory_type=\"direct\"[^}]*} (\\S+)$").matcher(scrape);
    assertThat(sockets.find()).as("the sockets' allocator (reads, replies) is in netty_allocator_memory_used").isTrue();
    assertThat(Double.parseDouble(sockets.group(1))).as("direct memory its reads and replies took").isPositive();
    assertThat(Shards.get(shard, "/stats").body()).contains("\"consumerGroup\":\"proto-0\"", "\"ready\":true");
  }

  @Test
  void statsReportDeliveriesPerSecondAndCpuUseOverTheLastSamplingInterval() throws Exception {
    List<WsClient> subscribers = List.of(subscribedClient("load"), subscribedClient("load"), subscribedClient("load"));
    for (int i = 0; i < 50; i++) {
      producer.send(new ProducerRecord<>("events", "load", "{\"n\":" + i + "}"));
    }
    producer.flush();
    for (WsClient c : subscribers) {
      Awaitility.await().atMost(WAIT).until(() -> c.messages("message").size() == 50);
    }
    // The interval that holds the 150 deliveries ends within one sampling interval (5 s).
    JsonNode stats = Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> new com.fasterxml.jackson.databind.ObjectMapper().readTree(Shards.get(shard, "/stats").body()),
            s -> s.path("deliveriesPerSecond").asDouble() > 0);
    assertThat(stats.path("deliveriesPerSecond").asDouble()).isLessThanOrEqualTo(150.0);
    assertThat(stats.path("cpuUtilization").isNumber()).as(stats.toString()).isTrue();
    assertThat(stats.path("cpuUtilization").asDouble()).isGreaterThan(0).isLessThanOrEqualTo(1.0);
    assertThat(stats.path("cpus").asDouble()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(stats.path("loadIntervalSeconds").asInt()).isEqualTo(5);
    subscribers.forEach(WsClient::close);
  }
}
