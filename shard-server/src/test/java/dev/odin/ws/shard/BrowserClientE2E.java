package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.Shards;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Chromium, installed by scripts/install-chromium.sh) against a shard: its WebSocket
 * client's masked frames in all three length forms, non-ASCII text, and the close code it sees for a message
 * over the limit. The page reports each step to this test over HTTP.
 */
class BrowserClientE2E {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STEP = Duration.ofSeconds(60);

  @Test
  void chromiumSubscribesReceivesARecordGetsAPongForNonAsciiTextAndSees1009ForAnOversizedMessage() throws Exception {
    BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    HttpServer pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] page;
    try (InputStream in = BrowserClientE2E.class.getResourceAsStream("/browser/client.html")) {
      page = in.readAllBytes();
    }
    pages.createContext("/client.html", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      exchange.getResponseBody().write(page);
      exchange.close();
    });
    pages.createContext("/event", exchange -> {
      events.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    pages.start();
    Path profile = Files.createTempDirectory("odin-ws-chromium");
    Process chromium = null;
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      kafka.createTopics(1, "events");
      try (ShardServer shard = Shards.start(kafka.bootstrapServers(), "browser", 0, "events",
              Map.of("ODIN_WS_MAX_FRAME_BYTES", "65536"));
          KafkaProducer<String, String> producer = Shards.producer(kafka.bootstrapServers())) {
        Shards.awaitReady(shard);
        chromium = startChromium(profile, "http://127.0.0.1:" + pages.getAddress().getPort()
            + "/client.html?port=" + shard.wsPort());

        JsonNode subscribed = next(events, "subscribed");
        assertThat(subscribed.path("channels").toString()).isEqualTo("[\"browser\"]");

        Shards.sendAndWait(producer, new ProducerRecord<>("events", "browser", "{\"n\":42,\"text\":\"grüße\"}"));
        JsonNode message = next(events, "message");
        assertThat(message.path("channel").asText()).isEqualTo("browser");
        assertThat(message.path("data").path("n").asInt()).isEqualTo(42);
        assertThat(message.path("data").path("text").asText()).isEqualTo("grüße");
        assertThat(message.path("position").asText()).matches("[^:]+:0:\\d+");

        assertThat(next(events, "pong").path("id").asText()).isEqualTo("é".repeat(300));

        JsonNode close = next(events, "close");
        assertThat(close.path("code").asInt()).as("what the browser's onclose sees").isEqualTo(1009);
        assertThat(Shards.metric(shard, "ws_connections_closed_total", "reason=\"frame_too_big\"")).isEqualTo(1.0);
      }
    } finally {
      if (chromium != null) {
        chromium.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      pages.stop(0);
      deleteQuietly(profile);
    }
  }

  private static Process startChromium(Path profile, String url) throws IOException {
    Path binary = Path.of("/usr/bin/chromium");
    assertThat(binary).as("chromium is installed by scripts/install-chromium.sh (part of ./odin-ws test)").exists();
    return new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, url)
        .redirectErrorStream(true)
        .redirectOutput(profile.resolve("chromium.log").toFile())
        .start();
  }

  /** The next event the page reported, which must be of {@code type}. */
  private static JsonNode next(BlockingQueue<JsonNode> events, String type) throws InterruptedException {
    JsonNode event = events.poll(STEP.toSeconds(), TimeUnit.SECONDS);
    assertThat(event).as("the page reported '" + type + "' within " + STEP).isNotNull();
    assertThat(event.path("event").asText()).as(event.toString()).isEqualTo(type);
    return event;
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is not a test failure
    }
  }
}
