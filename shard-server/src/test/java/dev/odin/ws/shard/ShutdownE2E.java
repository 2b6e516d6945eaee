package dev.odin.ws.shard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.kafka.EmbeddedKafkaBroker;
import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The shard as its own OS process, as a pod runs it: SIGTERM drains, then the process exits. */
class ShutdownE2E {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void sigtermTurnsReadinessOffClosesClientsWith1012PacedOverTheDrainWindowAndExits() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(); WsClients clients = new WsClients()) {
      kafka.createTopics(1, "sig");
      int wsPort = freePort();
      int managementPort = freePort();
      ProcessBuilder builder = new ProcessBuilder(
          javaBinary(), "-Xmx256m", "-cp", System.getProperty("java.class.path"), ShardServerMain.class.getName());
      builder.environment().putAll(Map.of(
          "ODIN_WS_CLUSTER", "sig", "ODIN_WS_SHARD_INDEX", "0",
          "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "ODIN_WS_KAFKA_TOPICS", "sig",
          "ODIN_WS_BIND_ADDRESS", "127.0.0.1", "ODIN_WS_PORT", Integer.toString(wsPort),
          "ODIN_WS_MANAGEMENT_PORT", Integer.toString(managementPort), "ODIN_WS_DRAIN_SECONDS", "3"));
      builder.redirectErrorStream(true).redirectOutput(new File("target/shutdown-e2e-shard.log"));
      Process process = builder.start();
      try {
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> status(managementPort, "/readyz") == 200);
        List<WsClient> connected = clients.connectMany(URI.create("ws://127.0.0.1:" + wsPort + "/ws"), 40, 40);
        List<CompletableFuture<Long>> closedAt = new ArrayList<>();
        for (WsClient client : connected) {
          closedAt.add(client.closeCode().thenApply(code -> code == 1012 ? System.nanoTime() : -1L));
        }

        process.destroy(); // SIGTERM
        Awaitility.await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
            .until(() -> status(managementPort, "/readyz") == 503);

        List<Long> times = new ArrayList<>();
        for (CompletableFuture<Long> f : closedAt) {
          times.add(f.get(30, TimeUnit.SECONDS));
        }
        assertThat(times).as("every client got 1012").allMatch(t -> t > 0);
        long spreadMillis = TimeUnit.NANOSECONDS.toMillis(
            times.stream().mapToLong(Long::longValue).max().getAsLong()
                - times.stream().mapToLong(Long::longValue).min().getAsLong());
        assertThat(spreadMillis).as("closes are paced across the 3 s window, not all at once").isGreaterThan(1500);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the process exits after draining").isTrue();
      } finally {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void aBadVariableStopsTheProcessWithAMessageNamingIt() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(
        javaBinary(), "-cp", System.getProperty("java.class.path"), ShardServerMain.class.getName());
    builder.environment().putAll(Map.of(
        "ODIN_WS_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1", "ODIN_WS_KAFKA_TOPICS", "t",
        "ODIN_WS_SHARD_INDEX", "0", "ODIN_WS_MAX_CONNECTIONS", "lots"));
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output).contains("ODIN_WS_MAX_CONNECTIONS", "'lots' is not a whole number");
  }

  private static int status(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
