package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Resumes;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A client that comes back with {@code since} gets exactly what it missed, then the live stream. */
class ResumeIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** 4,000 sockets and three shards in one JVM: generous bounds, so a loaded machine slows the test but does not fail it. */
  private static final Duration STORM_WAIT = Duration.ofMinutes(4);
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  /** The sequence numbers a client saw on a channel, across all of its connections, in order. */
  private static List<Integer> sequence(List<WsClient> connections, String channel) {
    List<Integer> seqs = new ArrayList<>();
    for (WsClient c : connections) {
      for (JsonNode m : c.messages("message")) {
        if (channel.equals(m.path("channel").asText())) {
          seqs.add(m.path("data").path("seq").asInt());
        }
      }
    }
    return seqs;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> r = new ArrayList<>();
    for (int i = from; i < to; i++) {
      r.add(i);
    }
    return r;
  }

  @Test
  void aClientResumingOnAnotherShardGetsExactlyWhatItMissedInOrderThenLiveWithoutDuplicatesWhileRecordsKeepArriving()
      throws Exception {
    kafka.createTopics(2, "resume");
    try (ShardServer a = Shards.start(kafka.bootstrapServers(), "r1", 0, "resume", Map.of());
        ShardServer b = Shards.start(kafka.bootstrapServers(), "r1", 1, "resume", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
      Shards.awaitReady(a);
      Shards.awaitReady(b);
      WsClient first = clients.connect(WsClients.uri(a.wsPort()));
      first.subscribe("BTC");
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>("resume", "BTC", "{\"seq\":" + i + "}"));
      }
      producer.flush();
      Awaitility.await().atMost(WAIT).until(() -> first.messages("message").size() == 10);
      String position = Resumes.lastPosition(first);
      first.close();

      for (int i = 10; i < 60; i++) { // missed while away; other channels interleave in the partition
        producer.send(new ProducerRecord<>("resume", "BTC", "{\"seq\":" + i + "}"));
        producer.send(new ProducerRecord<>("resume", "ETH", "{\"seq\":" + i + "}"));
      }
      producer.flush();
      AtomicBoolean publishing = new AtomicBoolean(true);
      AtomicInteger next = new AtomicInteger(60);
      Thread live = new Thread(() -> {
        while (publishing.get() && next.get() < 400) {
          producer.send(new ProducerRecord<>("resume", "BTC", "{\"seq\":" + next.getAndIncrement() + "}"));
          producer.flush();
        }
      });
      live.start();
      WsClient second = clients.connect(WsClients.uri(b.wsPort()));
      JsonNode reply = Resumes.resume(second, "BTC", position);
      assertThat(reply.path("recovered").path("BTC").asBoolean()).isTrue();
      Awaitility.await().atMost(WAIT).until(() -> second.messages("message").size() > 120);
      publishing.set(false);
      live.join(30_000);
      int published = next.get();
      Awaitility.await().atMost(WAIT).until(() -> second.messages("message").size() >= published - 10);
      assertThat(sequence(List.of(second), "BTC")).as("missed records, then live, no gap, no duplicate")
          .isEqualTo(range(10, published));
      assertThat(sequence(List.of(second), "ETH")).as("other channels of the partition are filtered").isEmpty();
      assertThat(Shards.metric(b, "ws_recovery_requests_total", "outcome=\"recovered\"")).isEqualTo(1.0);
      assertThat(Shards.metric(b, "ws_replay_records_total", null))
          .as("at least the 50 missed before the reconnect; live ones published before the replay ended count too")
          .isGreaterThanOrEqualTo(50.0);
    }
  }

  @Test
  void twoThousandDrainedClientsResumeOnTheOtherShardsWithEveryRecordExactlyOnce() throws Exception {
    kafka.createTopics(1, "storm");
    int clientCount = 2000;
    try (ShardServer drained = Shards.start(kafka.bootstrapServers(), "r2", 0, "storm", Map.of("ODIN_WS_DRAIN_SECONDS", "3"));
        ShardServer other1 = Shards.start(kafka.bootstrapServers(), "r2", 1, "storm", Map.of());
        ShardServer other2 = Shards.start(kafka.bootstrapServers(), "r2", 2, "storm", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
      for (ShardServer s : List.of(drained, other1, other2)) {
        Shards.awaitReady(s);
      }
      List<WsClient> originals = clients.connectMany(WsClients.uri(drained.wsPort()), clientCount, 200);
      originals.forEach(c -> c.sendSubscribe("storm"));
      Awaitility.await().atMost(STORM_WAIT).until(() -> originals.stream().allMatch(c -> c.messages("subscribed").size() == 1));

      AtomicInteger next = new AtomicInteger();
      AtomicBoolean publishing = new AtomicBoolean(true);
      Thread publisher = new Thread(() -> {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (publishing.get() && System.nanoTime() < deadline) {
          producer.send(new ProducerRecord<>("storm", "storm", "{\"seq\":" + next.getAndIncrement() + "}"));
          try {
            Thread.sleep(100); // the publisher's pace, 10 records/s (20,000 deliveries/s), not a synchronisation
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      publisher.start();
      Awaitility.await().atMost(STORM_WAIT).untilAsserted(() -> assertThat(
          originals.stream().filter(c -> c.messages("message").isEmpty()).count())
          .as(() -> "clients still waiting; their close codes " + originals.stream().filter(c -> c.messages("message").isEmpty())
              .map(c -> c.closeCode().getNow(0) + "/" + c.isOpen() + "/" + c.messages().size()).distinct().toList()
              + " delivered " + Shards.metric(drained, "ws_messages_delivered_total", null)
              + " subs " + Shards.metric(drained, "ws_subscriptions_active", null)
              + " conns " + Shards.metric(drained, "ws_connections_active", null)
              + " dropped " + Shards.metric(drained, "ws_messages_dropped_total", "slow_client")
              + " published " + next.get()).isZero());

      assertThat(Shards.post(drained, "/drain").statusCode()).isEqualTo(202);
      // Each client resumes the moment it is told to go, as a real client would: a reconnect storm.
      List<java.util.concurrent.CompletableFuture<WsClient>> resuming = new ArrayList<>();
      for (int i = 0; i < clientCount; i++) {
        WsClient original = originals.get(i);
        ShardServer target = i % 2 == 0 ? other1 : other2;
        resuming.add(Resumes.reconnectWhenClosed(clients, original, 1012, WsClients.uri(target.wsPort()), "storm"));
      }
      List<WsClient> resumed = new ArrayList<>();
      for (java.util.concurrent.CompletableFuture<WsClient> f : resuming) {
        resumed.add(f.get(5, TimeUnit.MINUTES));
      }
      Awaitility.await().atMost(STORM_WAIT).until(() -> resumed.stream().allMatch(c -> c.messages("subscribed").size() == 1));
      int stopAt = next.get() + 10;
      Awaitility.await().atMost(STORM_WAIT).until(() -> next.get() >= stopAt);
      publishing.set(false);
      publisher.join(30_000);
      producer.flush();
      int total = next.get();
      Awaitility.await().atMost(STORM_WAIT)
          .until(() -> resumed.stream().allMatch(c -> !c.messages("message").isEmpty()
              && c.messages("message").get(c.messages("message").size() - 1).path("data").path("seq").asInt() == total - 1));
      for (int i = 0; i < clientCount; i++) {
        List<Integer> seqs = sequence(List.of(originals.get(i), resumed.get(i)), "storm");
        int start = seqs.get(0);
        assertThat(seqs).as("client %d: every record exactly once across the drain", i).isEqualTo(range(start, total));
        assertThat(resumed.get(i).messages("subscribed").get(0).path("recovered").path("storm").asBoolean()).isTrue();
      }
    }
  }

  @Test
  void aPositionBeyondRetentionOrFromARecreatedTopicAnswersRecoveredFalseAndStillSubscribesLive() throws Exception {
    kafka.createTopics(1, "gone");
    try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "r3", 0, "gone", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers());
        Admin admin = kafka.admin()) {
      Shards.awaitReady(shard);
      WsClient first = clients.connect(WsClients.uri(shard.wsPort()));
      first.subscribe("x");
      for (int i = 0; i < 5; i++) {
        Shards.sendAndWait(producer, new ProducerRecord<>("gone", "x", "{\"seq\":" + i + "}"));
      }
      Awaitility.await().atMost(WAIT).until(() -> first.messages("message").size() == 5);
      String early = first.messages("message").get(0).path("position").asText();
      admin.deleteRecords(Map.of(new TopicPartition("gone", 0), RecordsToDelete.beforeOffset(4))).all().get(30, TimeUnit.SECONDS);

      WsClient late = clients.connect(WsClients.uri(shard.wsPort()));
      JsonNode reply = Resumes.resume(late, "x", early);
      assertThat(reply.path("recovered").path("x").asBoolean(true)).as("records deleted by retention").isFalse();
      Shards.sendAndWait(producer, new ProducerRecord<>("gone", "x", "{\"seq\":5}"));
      late.awaitMessage(m -> m.path("data").path("seq").asInt() == 5, WAIT);

      String foreign = "AAAAAAAAAAAAAAAAAAAAAA:0:1";
      WsClient stranger = clients.connect(WsClients.uri(shard.wsPort()));
      assertThat(Resumes.resume(stranger, "x", foreign).path("recovered").path("x").asBoolean(true))
          .as("a topic id that is not the topic's current id").isFalse();
      assertThat(Shards.metric(shard, "ws_recovery_requests_total", "outcome=\"beyond_retention\"")).isEqualTo(1.0);

      try (ShardServer strict = Shards.start(kafka.bootstrapServers(), "r3", 1, "gone",
          Map.of("ODIN_WS_REPLAY_MAX_AGE_SECONDS", "1"))) {
        Shards.awaitReady(strict);
        String fourth = first.messages("message").get(4).path("position").asText();
        Shards.sendAndWait(producer, new ProducerRecord<>("gone", "x", "{\"seq\":6}"));
        long fifthTs = late.awaitMessage(m -> m.path("data").path("seq").asInt() == 5, WAIT).path("ts").asLong();
        Awaitility.await().atMost(WAIT).until(() -> System.currentTimeMillis() - fifthTs > 1_100);
        WsClient aged = clients.connect(WsClients.uri(strict.wsPort()));
        assertThat(Resumes.resume(aged, "x", fourth).path("recovered").path("x").asBoolean(true))
            .as("the first missed record is older than the replay age bound").isFalse();
        assertThat(Shards.metric(strict, "ws_recovery_requests_total", "outcome=\"too_old\"")).isEqualTo(1.0);
      }
      assertThat(Shards.metric(shard, "ws_recovery_requests_total", "outcome=\"topic_changed\"")).isEqualTo(1.0);
    }
  }

  @Test
  void aPositionFromADeletedAndRecreatedTopicAnswersRecoveredFalse() throws Exception {
    kafka.createTopics(1, "reborn");
    String stale;
    try (Admin admin = kafka.admin(); KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
      for (int i = 0; i < 3; i++) {
        Shards.sendAndWait(producer, new ProducerRecord<>("reborn", "r", "{\"seq\":" + i + "}"));
      }
      org.apache.kafka.common.Uuid oldId = admin.describeTopics(List.of("reborn")).allTopicNames()
          .get(30, TimeUnit.SECONDS).get("reborn").topicId();
      stale = new dev.odin.ws.shard.kafka.PartitionPosition(oldId, 0, 1).encode();
      admin.deleteTopics(List.of("reborn")).all().get(30, TimeUnit.SECONDS);
      Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> {
        kafka.createTopics(1, "reborn");
        return !admin.describeTopics(List.of("reborn")).allTopicNames().get(30, TimeUnit.SECONDS)
            .get("reborn").topicId().equals(oldId);
      });
      for (int i = 0; i < 3; i++) {
        Shards.sendAndWait(producer, new ProducerRecord<>("reborn", "r", "{\"seq\":" + i + "}"));
      }
    }
    try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "r5", 0, "reborn", Map.of());
        WsClients clients = new WsClients()) {
      Shards.awaitReady(shard);
      WsClient client = clients.connect(WsClients.uri(shard.wsPort()));
      assertThat(Resumes.resume(client, "r", stale).path("recovered").path("r").asBoolean(true))
          .as("offset 1 exists again, but in a different topic: not a resume").isFalse();
      assertThat(client.messages("message")).as("nothing of the new topic is passed off as missed").isEmpty();
      assertThat(Shards.metric(shard, "ws_recovery_requests_total", "outcome=\"topic_changed\"")).isEqualTo(1.0);
    }
  }

  @Test
  void clientsOfAShardKilledWithSigkillResumeElsewhereWithNothingLost() throws Exception {
    kafka.createTopics(1, "crash");
    int wsPort = freePort();
    int managementPort = freePort();
    ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), ShardServerMain.class.getName());
    builder.environment().putAll(Shards.env(kafka.bootstrapServers(), "r4", 0, "crash", Map.of(
        "ODIN_WS_PORT", Integer.toString(wsPort), "ODIN_WS_MANAGEMENT_PORT", Integer.toString(managementPort))));
    builder.redirectErrorStream(true).redirectOutput(new File("target/resume-sigkill-shard.log"));
    Process victim = builder.start();
    try (ShardServer survivor = Shards.start(kafka.bootstrapServers(), "r4", 1, "crash", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
      Shards.awaitReady(survivor);
      Awaitility.await().atMost(WAIT).ignoreExceptions()
          .until(() -> java.net.http.HttpClient.newHttpClient().send(
              java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/readyz")).build(),
              java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      List<WsClient> originals = clients.connectMany(URI.create("ws://127.0.0.1:" + wsPort + "/ws"), 50, 50);
      originals.forEach(c -> c.subscribe("c"));
      for (int i = 0; i < 20; i++) {
        producer.send(new ProducerRecord<>("crash", "c", "{\"seq\":" + i + "}"));
      }
      producer.flush();
      Awaitility.await().atMost(WAIT).until(() -> originals.stream().allMatch(c -> c.messages("message").size() == 20));

      victim.destroyForcibly(); // SIGKILL: no drain, no close frame
      for (WsClient c : originals) {
        assertThat(c.closeCode().get(30, TimeUnit.SECONDS)).isEqualTo(-1);
      }
      for (int i = 20; i < 40; i++) {
        producer.send(new ProducerRecord<>("crash", "c", "{\"seq\":" + i + "}"));
      }
      producer.flush();
      List<WsClient> resumed = new ArrayList<>();
      for (WsClient original : originals) {
        WsClient again = clients.connect(WsClients.uri(survivor.wsPort()));
        assertThat(Resumes.resume(again, "c", Resumes.lastPosition(original)).path("recovered").path("c").asBoolean()).isTrue();
        resumed.add(again);
      }
      for (int i = 0; i < originals.size(); i++) {
        WsClient again = resumed.get(i);
        Awaitility.await().atMost(WAIT).until(() -> again.messages("message").size() == 20);
        assertThat(sequence(List.of(originals.get(i), again), "c")).isEqualTo(range(0, 40));
      }
    } finally {
      victim.destroyForcibly();
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
