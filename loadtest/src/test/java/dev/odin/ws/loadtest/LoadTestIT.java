package dev.odin.ws.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.ShardServer;
import dev.odin.ws.shard.config.ShardServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole generator against a real broker and an in-process shard: two forked workers, 100
 * connections over two channels, a paced publisher; every record reaches every subscriber, in order,
 * and the merged JSON summary says so.
 */
class LoadTestIT {
  private static EmbeddedKafkaBroker kafka;
  private static ShardServer shard;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
    // One topic per channel: each channel's offsets are then contiguous and a gap means a lost record. Gamma and
    // delta are fed from all six partitions of theirs: gamma by its {topic} template, delta by keys the publisher
    // puts on every partition.
    kafka.createTopics(1, "alpha", "beta");
    kafka.createTopics(6, "gamma", "delta");
    shard = ShardServer.start(ShardServerConfig.fromEnvironment(Map.of(
        "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "ODIN_WS_KAFKA_TOPICS", "alpha,beta,gamma={topic},delta",
        "ODIN_WS_SHARD_INDEX", "0",
        "ODIN_WS_BIND_ADDRESS", "127.0.0.1",
        "ODIN_WS_PORT", "0",
        "ODIN_WS_MANAGEMENT_PORT", "0",
        "ODIN_WS_IO_THREADS", "2",
        "ODIN_WS_DRAIN_SECONDS", "1")));
  }

  @AfterAll
  static void stop() {
    if (shard != null) {
      shard.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void countsEveryDeliveryAcrossWorkersAndWritesTheSummary(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("summary.json");
    String[] argv = againstShardAndKafka(out,
        "--connections=100",
        "--workers=2",
        "--channels=alpha,beta",
        "--publish-rate=40",
        "--publish-seconds=1",
        "--warmup-seconds=0.5",
        "--server-pids=" + ProcessHandle.current().pid());
    Map<String, Object> summary = coordinate(argv);

    JsonNode json = new ObjectMapper().readTree(Files.readString(out));
    assertThat(json.path("connections").path("subscribed").asLong()).isEqualTo(100);
    assertThat(json.path("connections").path("failed").asLong()).isZero();
    assertThat(json.path("workers").asInt()).isEqualTo(2);
    // 40 records (after 20 warm-up records, forgotten) over two channels, every connection subscribed
    // to both: 100 × 40 deliveries.
    assertThat(json.path("publisher").path("expectedDeliveries").asLong()).isEqualTo(4000);
    assertThat(json.path("messages").asLong()).isEqualTo(4000);
    assertThat(json.path("gaps").asLong()).isZero();
    assertThat(json.path("outOfOrder").asLong()).isZero();
    assertThat(json.path("duplicates").asLong()).isZero();
    assertThat(json.path("latencyMs").path("count").asLong()).isEqualTo(4000);
    for (String p : new String[] {"p50", "p90", "p99", "p99_9", "max"}) {
      assertThat(json.path("latencyMs").has(p)).as(p).isTrue();
    }
    assertThat(json.path("deliveriesPerSecond").asDouble()).isPositive();
    assertThat(json.path("server").path("cpuSeconds").asDouble()).isPositive();
    assertThat(json.has("failures")).isTrue();
    assertThat(summary.get("messages")).isEqualTo(4000L);
  }

  @Test
  void closedLoopPublisherSendsOnlyWhileFewerThanTheWindowAreUndelivered() throws Exception {
    AtomicLong delivered = new AtomicLong();
    try (Publisher p = new Publisher(kafka.bootstrapServers(), "{channel}", List.of("alpha"), 100,
        Double.POSITIVE_INFINITY, 0)) {
      CompletableFuture<Publisher.Result> run = CompletableFuture.supplyAsync(() -> p.runWindowed(4, 5, delivered::get));
      // nothing delivered: five records go, then the publisher waits for the clients
      Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> p.sent.get() == 5);
      Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> p.sent.get() == 5);
      delivered.set(3); // three reached every subscriber: room for three more
      Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> p.sent.get() == 8);
      Publisher.Result result = run.get(10, TimeUnit.SECONDS);
      assertThat(result.records()).isEqualTo(8);
      assertThat(result.errors()).isZero();
    }
  }

  @Test
  void closedLoopRunDeliversEveryRecordItPublished(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("summary.json");
    String[] argv = againstShardAndKafka(out,
        "--connections=50",
        "--channels=alpha",
        "--publish-rate=max",
        "--publish-window=50",
        "--publish-seconds=2");
    coordinate(argv);

    JsonNode json = new ObjectMapper().readTree(Files.readString(out));
    assertThat(json.path("publisher").path("mode").asText()).isEqualTo("closed-loop");
    assertThat(json.path("publisher").path("window").asLong()).isEqualTo(50);
    long records = json.path("publisher").path("records").asLong();
    assertThat(records).as("more than one window: the clients' progress let it go on").isGreaterThan(50);
    assertThat(json.path("publisher").path("expectedDeliveries").asLong()).isEqualTo(records * 50);
    assertThat(json.path("messages").asLong()).isEqualTo(records * 50);
    assertThat(json.path("gaps").asLong()).isZero();
    assertThat(json.path("outOfOrder").asLong()).isZero();
  }

  @Test
  void countsRefusedConnectionsByCause() throws Exception {
    String[] argv = {
        "--url=ws://127.0.0.1:1/ws",
        "--connections=20",
        "--rate=1000",
        "--io-threads=1",
        "--worker-java-opts=-Xmx128m"};
    Map<String, Object> summary = coordinate(argv);
    JsonNode json = new ObjectMapper().valueToTree(summary);
    assertThat(json.path("connections").path("opened").asLong()).isZero();
    assertThat(json.path("failures").path("refused").asLong()).isEqualTo(20);
  }

  @Test
  void connectionsClosedWith1012ResumeWithSinceAndLoseNothing(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("summary.json");
    JsonNode json = runShedding(out, 30, // well into the 80 measured records
        "--connections=100",
        "--channels=alpha,beta",
        "--resume=true",
        "--publish-rate=20",
        "--publish-seconds=4",
        "--warmup-seconds=0.5");
    assertThat(json.path("failures").path("resumed_after_close_1012").asLong()).isEqualTo(50);
    assertThat(json.path("gaps").asLong()).as("nothing lost across the resume").isZero();
    assertThat(json.path("duplicates").asLong()).as("nothing twice across the resume").isZero();
    assertThat(json.path("outOfOrder").asLong()).isZero();
    assertThat(json.path("messages").asLong()).isEqualTo(json.path("publisher").path("expectedDeliveries").asLong());
  }

  @Test
  void connectionsOfChannelsFedFromSixPartitionsResumeAfter1012WithEveryPartitionCompleteAndNothingTwice(
      @TempDir Path dir) throws Exception {
    Path out = dir.resolve("summary.json");
    JsonNode json = runShedding(out, 90, // well into the 240 measured records
        "--connections=100",
        "--channels=gamma,delta",
        "--resume=true",
        "--publish-spread=true",
        "--publish-rate=60",
        "--publish-seconds=4",
        "--warmup-seconds=0.5");
    assertThat(json.path("publisher").path("spreadOverPartitions").asBoolean()).isTrue();
    try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends = new java.util.HashMap<>();
      for (String topic : List.of("gamma", "delta")) {
        for (int p = 0; p < 6; p++) {
          ends.put(new org.apache.kafka.common.TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
      }
      assertThat(admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS).values())
          .as("both channels were fed from all six partitions of their topics")
          .allSatisfy(info -> assertThat(info.offset()).isPositive());
    }
    assertThat(json.path("failures").path("resumed_after_close_1012").asLong()).isEqualTo(50);
    assertThat(json.path("gaps").asLong()).as("nothing lost in any partition across the resume").isZero();
    assertThat(json.path("duplicates").asLong()).as("nothing twice in any partition across the resume").isZero();
    assertThat(json.path("outOfOrder").asLong()).isZero();
    assertThat(json.path("unparsed").asLong()).as("every spread position read").isZero();
    assertThat(json.path("messages").asLong()).isEqualTo(json.path("publisher").path("expectedDeliveries").asLong());
  }

  /**
   * Runs the generator with {@code flags} and, once all 100 connections have both subscriptions and the shard has
   * consumed {@code consumedBeforeShed} records of the run, sheds half of them (1012, as a rebalance does); returns
   * the summary written to {@code out}.
   */
  private static JsonNode runShedding(Path out, int consumedBeforeShed, String... flags) throws Exception {
    String[] argv = againstShardAndKafka(out, flags);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    double consumedBefore = consumed(http);
    CompletableFuture<Map<String, Object>> run = CompletableFuture.supplyAsync(() -> {
      try {
        return coordinate(argv);
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
    java.net.URI stats = java.net.URI.create("http://127.0.0.1:" + shard.managementPort() + "/stats");
    Awaitility.await().atMost(Duration.ofSeconds(120)).until(() ->
        http.send(java.net.http.HttpRequest.newBuilder(stats).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
            .body().contains("\"subscriptions\":200"));
    Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> consumed(http) >= consumedBefore + consumedBeforeShed);
    java.net.http.HttpResponse<String> shed = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + shard.managementPort() + "/shed?count=50"))
        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(shed.statusCode()).isEqualTo(202);
    run.get(5, TimeUnit.MINUTES);
    return new ObjectMapper().readTree(Files.readString(out));
  }

  @Test
  void aRampDownClosesTheHighestClientsAsLeftWhileShedClientsResumeAndNothingIsLostOrTwice(@TempDir Path dir)
      throws Exception {
    String[] flags = againstShardAndKafka(dir.resolve("unused.json"),
        "--connections=60", "--workers=2", "--channels=alpha", "--resume=true", "--publish-rate=20",
        "--publish-channels=alpha");
    Map<String, Object> summary;
    try (RampSession session = RampSession.start(System.err, flags)) {
      session.startPublishing();
      assertThat(session.rampTo(60)).isTrue();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
          .until(() -> session.tally().messages >= 60 * 20);
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + shard.managementPort()
          + "/shed?count=10")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding());
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
          .until(() -> session.tally().failures.getOrDefault("resumed_after_close_1012", 0L) == 10
              && session.tally().subscribed == 70);
      assertThat(session.rampTo(20)).isTrue();
      assertThat(session.tally().open).isEqualTo(20);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> http.send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + shard.managementPort()
              + "/stats")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()
          .contains("\"connections\":20,"));
      summary = session.finish();
    }
    JsonNode json = new ObjectMapper().valueToTree(summary);
    assertThat(json.path("connections").path("left").asLong()).isEqualTo(40);
    assertThat(json.path("connections").path("openAtEnd").asLong()).isEqualTo(20);
    assertThat(json.path("failures").path("resumed_after_close_1012").asLong()).isEqualTo(10);
    assertThat(json.path("failures").size()).as(json.path("failures").toString()).isEqualTo(1);
    assertThat(json.path("gaps").asLong()).isZero();
    assertThat(json.path("duplicates").asLong()).isZero();
    assertThat(json.path("outOfOrder").asLong()).isZero();
    assertThat(json.path("publisher").path("records").asLong()).isPositive();
  }

  @Test
  void eachPlanStepRecordsWhatWasHeldWhenItSettledAndAfterItsHoldAsTheKernelCountsIt(@TempDir Path dir)
      throws Exception {
    Map<String, Object> summary = RampSession.runPlan(againstShardAndKafka(dir.resolve("plan.json"),
        "--connections=60", "--channels=alpha", "--plan=30:1,60:1", "--plan-stop-at-loss=true",
        "--server-pids=" + ProcessHandle.current().pid()), System.err);
    JsonNode plan = new ObjectMapper().valueToTree(summary).path("plan");
    assertThat(plan.size()).isEqualTo(2);
    for (int i = 0; i < 2; i++) {
      JsonNode step = plan.get(i);
      long target = 30L * (i + 1);
      assertThat(step.path("held").asBoolean()).as(step.toString()).isTrue();
      assertThat(step.path("lostDuringHold").asLong()).isZero();
      assertThat(step.path("atEnd").path("open").asLong()).isEqualTo(target);
      assertThat(step.path("atEnd").path("serverRssKb").asLong()).as("the shard's RSS from /proc").isPositive();
      assertThat(step.path("atEnd").path("clientRssKb").asLong()).as("the worker's RSS from /proc").isPositive();
      JsonNode sockstat = step.path("atEnd").path("sockstat");
      assertThat(sockstat.path("tcp_inuse").asLong() + sockstat.path("tcp6_inuse").asLong())
          .as("both ends of every connection are TCP sockets in use: " + sockstat).isGreaterThanOrEqualTo(2 * target);
      assertThat(step.path("atEnd").path("memAvailableKb").asLong()).isPositive();
    }
  }

  @Test
  void aPlanThatStopsAtLossEndsAfterTheFirstStepWhoseConnectionsWereNotHeld(@TempDir Path dir) throws Exception {
    Map<String, Object> summary = RampSession.runPlan(new String[] {"--url=ws://127.0.0.1:1/ws",
        "--connections=20", "--rate=1000", "--io-threads=1", "--worker-java-opts=-Xmx128m", "--plan=10:0,20:0",
        "--plan-stop-at-loss=true", "--out=" + dir.resolve("plan.json")}, System.err);
    JsonNode plan = new ObjectMapper().valueToTree(summary).path("plan");
    assertThat(plan.size()).as("the second step was not run").isEqualTo(1);
    assertThat(plan.get(0).path("held").asBoolean()).isFalse();
    assertThat(plan.get(0).path("atEnd").path("failures").path("refused").asLong()).isEqualTo(10);
  }

  @Test
  void aPlanThatIsNotConnectionsColonSecondsIsRefusedNamingTheStep() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RampSession.runPlan(new String[] {"--url=ws://127.0.0.1:1/ws", "--plan=4000:60,lots:90"}, System.err));
    assertThat(e.getMessage()).isEqualTo("--plan: 'lots:90' is not CONNECTIONS:HOLD_SECONDS");
  }

  /**
   * The flags every run against this class's shard and broker shares (500 conn/s, one event loop per worker, one
   * topic per channel, summary to {@code out}), then {@code flags}.
   */
  private static String[] againstShardAndKafka(Path out, String... flags) {
    List<String> argv = new ArrayList<>(List.of(
        "--url=ws://127.0.0.1:" + shard.wsPort() + "/ws",
        "--rate=500",
        "--io-threads=1",
        "--ready-urls=http://127.0.0.1:" + shard.managementPort() + "/readyz",
        "--publish-bootstrap=" + kafka.bootstrapServers(),
        "--publish-topic={channel}",
        "--worker-java-opts=-Xmx128m",
        "--out=" + out));
    argv.addAll(List.of(flags));
    return argv.toArray(String[]::new);
  }

  /** Records the shard has consumed from both topics, from its /metrics. */
  private static double consumed(java.net.http.HttpClient http) throws Exception {
    double consumed = 0;
    java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + shard.managementPort() + "/metrics");
    for (String line : http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
      if (line.startsWith("ws_kafka_records_consumed_total{")) {
        consumed += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return consumed;
  }

  /** Runs the load generator's coordinator with {@code argv}, as {@code loadtest run} does, and returns its summary. */
  private static Map<String, Object> coordinate(String[] argv) throws Exception {
    return new Coordinator(new Args(argv, Coordinator.FLAGS), System.err).run();
  }
}
