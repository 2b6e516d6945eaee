package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.kafka.PartitionPosition;
import dev.odin.ws.shard.kafka.Position;
import dev.odin.ws.shard.kafka.SpreadPosition;
import dev.odin.ws.shard.testing.Resumes;
import dev.odin.ws.shard.testing.Shards;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Channels fed from several partitions (a {@code {topic}} template, the {@code ws-channel} header, a key on two
 * partitions) resume on any shard with every partition's missed records exactly once, or say {@code recovered:false}.
 */
class SpreadChannelResumeIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Hundreds of sockets, three shards and a broker in one JVM: generous bounds for a loaded machine. */
  private static final Duration STORM_WAIT = Duration.ofMinutes(4);
  private static final int PARTITIONS = 6;
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  /** How the records of one channel reach all six partitions of its topic. */
  enum Routing {
    /** Topic {@code wide}, template {@code {topic}}: every record of the topic is channel {@code wide}. */
    TOPIC_TEMPLATE("wide", "wide={topic}", "wide"),
    /** Topic {@code hdr}, template {@code {key}}, records keyed each differently, channel from the header. */
    HEADER("hdr", "hdr", "orders");

    final String topic;
    final String topicsSetting;
    final String channel;

    Routing(String topic, String topicsSetting, String channel) {
      this.topic = topic;
      this.topicsSetting = topicsSetting;
      this.channel = channel;
    }

    /** Record {@code seq} goes to partition {@code seq % 6}, and says so in its value. */
    ProducerRecord<String, String> record(int seq) {
      int partition = seq % PARTITIONS;
      ProducerRecord<String, String> record = new ProducerRecord<>(topic, partition, "key-" + seq,
          "{\"seq\":" + seq + ",\"p\":" + partition + "}");
      if (this == HEADER) {
        record.headers().add("ws-channel", channel.getBytes(StandardCharsets.UTF_8));
      }
      return record;
    }
  }

  /** Per partition, the sequence numbers a client received on the channel, in arrival order, over its connections. */
  private static Map<Integer, List<Integer>> byPartition(List<WsClient> connections, String channel) {
    Map<Integer, List<Integer>> seqs = new TreeMap<>();
    for (WsClient c : connections) {
      for (JsonNode m : c.messages("message")) {
        if (channel.equals(m.path("channel").asText())) {
          seqs.computeIfAbsent(m.path("data").path("p").asInt(), p -> new ArrayList<>())
              .add(m.path("data").path("seq").asInt());
        }
      }
    }
    return seqs;
  }

  /** What every client must have received: each partition's records of {@code 0..total-1}, in order. */
  private static Map<Integer, List<Integer>> allPublished(int total) {
    Map<Integer, List<Integer>> expected = new TreeMap<>();
    for (int seq = 0; seq < total; seq++) {
      expected.computeIfAbsent(seq % PARTITIONS, p -> new ArrayList<>()).add(seq);
    }
    return expected;
  }

  private static int count(WsClient client) {
    return client.messages("message").size();
  }

  @ParameterizedTest
  @EnumSource(Routing.class)
  void clientsKilledOrDrainedMidStreamResumeOnOtherShardsWithEveryRecordOfEveryPartitionExactlyOnce(Routing routing)
      throws Exception {
    kafka.createTopics(PARTITIONS, routing.topic);
    String cluster = "spread-" + routing.name().toLowerCase();
    int clientCount = 300;
    try (ShardServer drained = Shards.start(kafka.bootstrapServers(), cluster, 0, routing.topicsSetting,
            Map.of("ODIN_WS_DRAIN_SECONDS", "2"));
        ShardServer other1 = Shards.start(kafka.bootstrapServers(), cluster, 1, routing.topicsSetting, Map.of());
        ShardServer other2 = Shards.start(kafka.bootstrapServers(), cluster, 2, routing.topicsSetting, Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
      for (ShardServer s : List.of(drained, other1, other2)) {
        Shards.awaitReady(s);
      }
      List<WsClient> originals = clients.connectMany(WsClients.uri(drained.wsPort()), clientCount, 100);
      originals.forEach(c -> c.sendSubscribe(routing.channel));
      Awaitility.await().atMost(STORM_WAIT).until(() -> originals.stream().allMatch(c -> c.messages("subscribed").size() == 1));

      AtomicInteger next = new AtomicInteger();
      AtomicBoolean publishing = new AtomicBoolean(true);
      Thread publisher = new Thread(() -> {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (publishing.get() && System.nanoTime() < deadline) {
          producer.send(routing.record(next.getAndIncrement()));
          try {
            Thread.sleep(5); // the publisher's pace, ~200 records/s over six partitions, not a synchronisation
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "spread-publisher");
      publisher.start();
      Awaitility.await().atMost(STORM_WAIT).until(() -> originals.stream().allMatch(c -> count(c) >= 60));

      // Half the clients die mid-stream (no close frame) and come back at once on the other shards.
      List<CompletableFuture<WsClient>> resuming = new ArrayList<>();
      int killed = clientCount / 2;
      for (int i = 0; i < killed; i++) {
        WsClient original = originals.get(i);
        original.close();
        ShardServer target = i % 2 == 0 ? other1 : other2;
        resuming.add(Resumes.reconnect(clients, original, WsClients.uri(target.wsPort()), routing.channel));
      }
      // The others are drained: closed with 1012, and each resumes the moment it is told to go.
      assertThat(Shards.post(drained, "/drain").statusCode()).isEqualTo(202);
      for (int i = killed; i < clientCount; i++) {
        WsClient original = originals.get(i);
        ShardServer target = i % 2 == 0 ? other1 : other2;
        resuming.add(Resumes.reconnectWhenClosed(clients, original, 1012, WsClients.uri(target.wsPort()), routing.channel));
      }
      List<WsClient> resumed = new ArrayList<>();
      for (CompletableFuture<WsClient> f : resuming) {
        resumed.add(f.get(5, TimeUnit.MINUTES));
      }
      Awaitility.await().atMost(STORM_WAIT).until(() -> resumed.stream().allMatch(c -> c.messages("subscribed").size() == 1));
      int stopAt = next.get() + 60;
      Awaitility.await().atMost(STORM_WAIT).until(() -> next.get() >= stopAt);
      publishing.set(false);
      publisher.join(30_000);
      producer.flush();
      int total = next.get();
      Map<Integer, List<Integer>> expected = allPublished(total);

      for (int i = 0; i < clientCount; i++) {
        List<WsClient> both = List.of(originals.get(i), resumed.get(i));
        int client = i;
        Awaitility.await().atMost(STORM_WAIT).untilAsserted(() -> assertThat(byPartition(both, routing.channel))
            .as("client %d (%s): each partition's records exactly once, in the partition's order", client,
                client < killed ? "killed" : "drained")
            .isEqualTo(expected));
        assertThat(resumed.get(i).messages("subscribed").get(0).path("recovered").path(routing.channel).asBoolean())
            .as("client %d resumed without a gap", i).isTrue();
      }
      String livePosition = Resumes.lastPosition(originals.get(0));
      assertThat(Position.parse(routing.channel, livePosition)).as("a spread channel's frames carry spread positions")
          .get().isInstanceOf(SpreadPosition.class)
          .satisfies(p -> assertThat(p.topics().get(0).partitions()).isEqualTo(PARTITIONS));
      for (ShardServer shard : List.of(other1, other2)) {
        assertThat(Shards.metric(shard, "ws_recovery_requests_total", "outcome=\"recovered\"")).isEqualTo(clientCount / 2.0);
      }
    }
  }

  @Test
  void aPartitionWhoseMissedRecordsWereDeletedByRetentionAnswersRecoveredFalseWhileDeletedRecordsAlreadySeenDoNot()
      throws Exception {
    kafka.createTopics(PARTITIONS, "ret");
    try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "spread-ret", 0, "ret={topic}", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers());
        Admin admin = kafka.admin()) {
      Shards.awaitReady(shard);
      WsClient first = clients.connect(WsClients.uri(shard.wsPort()));
      first.subscribe("ret");
      for (int seq = 0; seq < 60; seq++) { // offsets 0..9 of each partition
        producer.send(record("ret", seq));
      }
      producer.flush();
      Awaitility.await().atMost(WAIT).until(() -> count(first) == 60);
      String position = Resumes.lastPosition(first);
      first.close();
      for (int seq = 60; seq < 120; seq++) { // missed: offsets 10..19 of each partition
        producer.send(record("ret", seq));
      }
      producer.flush();

      // Retention takes records of partition 1 the client already had: nothing it missed is gone.
      admin.deleteRecords(Map.of(new TopicPartition("ret", 1), RecordsToDelete.beforeOffset(10))).all().get(30, TimeUnit.SECONDS);
      WsClient second = clients.connect(WsClients.uri(shard.wsPort()));
      assertThat(Resumes.resume(second, "ret", position).path("recovered").path("ret").asBoolean()).isTrue();
      Awaitility.await().atMost(WAIT).until(() -> count(second) == 60);
      assertThat(byPartition(List.of(second), "ret")).isEqualTo(range(60, 120));

      // Retention takes five records of partition 3 the client missed: that gap cannot be filled.
      admin.deleteRecords(Map.of(new TopicPartition("ret", 3), RecordsToDelete.beforeOffset(15))).all().get(30, TimeUnit.SECONDS);
      WsClient third = clients.connect(WsClients.uri(shard.wsPort()));
      assertThat(Resumes.resume(third, "ret", position).path("recovered").path("ret").asBoolean(true)).isFalse();
      assertThat(Shards.metric(shard, "ws_recovery_requests_total", "outcome=\"beyond_retention\"")).isEqualTo(1.0);
      assertThat(third.messages("message")).as("no partial replay passed off as the missed records").isEmpty();
      producer.send(record("ret", 120)).get(30, TimeUnit.SECONDS);
      third.awaitMessage(m -> m.path("data").path("seq").asInt() == 120, WAIT);
    }
  }

  @Test
  void aClientCutOffEarlyInAReplayResumesFromTheLastReplayedFrameOnAnotherShardWithTheRestExactlyOnce()
      throws Exception {
    kafka.createTopics(PARTITIONS, "mid");
    try (ShardServer a = Shards.start(kafka.bootstrapServers(), "spread-mid", 0, "mid={topic}", Map.of());
        ShardServer b = Shards.start(kafka.bootstrapServers(), "spread-mid", 1, "mid={topic}", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
      Shards.awaitReady(a);
      Shards.awaitReady(b);
      WsClient first = clients.connect(WsClients.uri(a.wsPort()));
      first.subscribe("mid");
      for (int seq = 0; seq < 12; seq++) {
        producer.send(record("mid", seq));
      }
      producer.flush();
      Awaitility.await().atMost(WAIT).until(() -> count(first) == 12);
      String position = Resumes.lastPosition(first);
      first.close();
      for (int seq = 12; seq < 72; seq++) {
        producer.send(record("mid", seq));
      }
      producer.flush();

      WsClient second = clients.connect(WsClients.uri(a.wsPort()));
      assertThat(Resumes.resume(second, "mid", position).path("recovered").path("mid").asBoolean()).isTrue();
      Awaitility.await().atMost(WAIT).until(() -> count(second) == 60);
      // Cut off after 3 of the 60 replayed records, before every partition has had one: the 3rd record's position
      // says how far each partition went, including those the replay had not reached.
      List<JsonNode> replayed = second.messages("message");
      String midReplay = replayed.get(2).path("position").asText();
      second.close();

      WsClient third = clients.connect(WsClients.uri(b.wsPort()));
      assertThat(Resumes.resume(third, "mid", midReplay).path("recovered").path("mid").asBoolean()).isTrue();
      Awaitility.await().atMost(WAIT).until(() -> count(third) == 57);
      Map<Integer, List<Integer>> seen = new TreeMap<>();
      for (JsonNode m : replayed.subList(0, 3)) {
        seen.computeIfAbsent(m.path("data").path("p").asInt(), p -> new ArrayList<>()).add(m.path("data").path("seq").asInt());
      }
      byPartition(List.of(third), "mid").forEach((p, seqs) -> seen.computeIfAbsent(p, x -> new ArrayList<>()).addAll(seqs));
      assertThat(seen).isEqualTo(range(12, 72));
    }
  }

  @Test
  void aPositionOfAnotherChannelOrAlteredIsRefusedAndNeverReplayed() throws Exception {
    kafka.createTopics(PARTITIONS, "forge");
    kafka.createTopics(1, "keyed");
    try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "spread-forge", 0, "forge={topic},keyed", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
      Shards.awaitReady(shard);
      WsClient client = clients.connect(WsClients.uri(shard.wsPort()));
      client.subscribe("forge", "x", "y");
      for (int seq = 0; seq < 12; seq++) {
        producer.send(record("forge", seq));
      }
      producer.send(new ProducerRecord<>("keyed", "x", "{\"seq\":0}"));
      producer.send(new ProducerRecord<>("keyed", "y", "{\"seq\":1}"));
      producer.flush();
      Awaitility.await().atMost(WAIT).until(() -> count(client) == 14);
      String spread = positionOf(client, "forge");
      String ofX = positionOf(client, "x");

      WsClient forger = clients.connect(WsClients.uri(shard.wsPort()));
      JsonNode foreign = Resumes.resume(forger, "y", spread);
      assertThat(foreign.path("code").asText()).as("a spread position of channel forge, for y").isEqualTo("invalid_position");
      char last = spread.charAt(spread.length() - 1);
      String altered = spread.substring(0, spread.length() - 1) + (last == 'A' ? 'B' : 'A');
      JsonNode flipped = Resumes.resume(forger, "forge", altered);
      assertThat(flipped.path("code").asText()).isEqualTo("invalid_position");
      assertThat(forger.messages("subscribed")).as("refused: no subscription").isEmpty();

      // A single-partition position carries no check value; its record, read back, is x's, not y's.
      JsonNode partitionOfX = Resumes.resume(forger, "y", ofX);
      assertThat(partitionOfX.path("recovered").path("y").asBoolean(true)).isFalse();
      assertThat(Shards.metric(shard, "ws_recovery_requests_total", "outcome=\"foreign_position\"")).isEqualTo(1.0);
      assertThat(forger.messages("message")).as("nothing replayed from another channel's position").isEmpty();
    }
  }

  @Test
  void aKeyedChannelSeenOnASecondPartitionGetsSpreadPositionsAndAnOlderSinglePartitionPositionAnswersRecoveredFalse()
      throws Exception {
    kafka.createTopics(2, "moving");
    try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "spread-moving", 0, "moving", Map.of());
        WsClients clients = new WsClients();
        KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
      Shards.awaitReady(shard);
      WsClient client = clients.connect(WsClients.uri(shard.wsPort()));
      client.subscribe("k");
      for (int seq = 0; seq < 3; seq++) {
        producer.send(new ProducerRecord<>("moving", 0, "k", "{\"seq\":" + seq + ",\"p\":0}"));
      }
      producer.flush();
      Awaitility.await().atMost(WAIT).until(() -> count(client) == 3);
      String single = Resumes.lastPosition(client);
      assertThat(Position.parse("k", single)).get().isInstanceOf(PartitionPosition.class);

      // A producer with its own partitioner puts key k on partition 1 too.
      for (int seq = 3; seq < 6; seq++) {
        producer.send(new ProducerRecord<>("moving", seq % 2, "k", "{\"seq\":" + seq + ",\"p\":" + seq % 2 + "}"));
      }
      producer.flush();
      Awaitility.await().atMost(WAIT).until(() -> count(client) == 6);
      String spread = Resumes.lastPosition(client);
      assertThat(Position.parse("k", spread)).get().isInstanceOf(SpreadPosition.class)
          .satisfies(p -> assertThat(p.topics().get(0).partitions()).isEqualTo(2));

      WsClient late = clients.connect(WsClients.uri(shard.wsPort()));
      assertThat(Resumes.resume(late, "k", single).path("recovered").path("k").asBoolean(true))
          .as("the position names partition 0; k also comes from partition 1 now").isFalse();
      assertThat(Shards.metric(shard, "ws_recovery_requests_total", "outcome=\"narrow_position\"")).isEqualTo(1.0);
      client.close();
      producer.send(new ProducerRecord<>("moving", 1, "k", "{\"seq\":6,\"p\":1}"));
      producer.send(new ProducerRecord<>("moving", 0, "k", "{\"seq\":7,\"p\":0}"));
      producer.flush();
      WsClient back = clients.connect(WsClients.uri(shard.wsPort()));
      assertThat(Resumes.resume(back, "k", spread).path("recovered").path("k").asBoolean()).isTrue();
      Awaitility.await().atMost(WAIT).until(() -> count(back) == 2);
      assertThat(byPartition(List.of(back), "k")).isEqualTo(Map.of(0, List.of(7), 1, List.of(6)));
    }
  }

  private static String positionOf(WsClient client, String channel) {
    return client.messages("message").stream().filter(m -> channel.equals(m.path("channel").asText()))
        .reduce((a, b) -> b).orElseThrow().path("position").asText();
  }

  /** Record {@code seq} of a {@code {topic}} channel's topic, on partition {@code seq % 6}. */
  private static ProducerRecord<String, String> record(String topic, int seq) {
    int partition = seq % PARTITIONS;
    return new ProducerRecord<>(topic, partition, "key-" + seq, "{\"seq\":" + seq + ",\"p\":" + partition + "}");
  }

  private static Map<Integer, List<Integer>> range(int from, int to) {
    Map<Integer, List<Integer>> expected = new TreeMap<>();
    for (int seq = from; seq < to; seq++) {
      expected.computeIfAbsent(seq % PARTITIONS, p -> new ArrayList<>()).add(seq);
    }
    return expected;
  }
}
