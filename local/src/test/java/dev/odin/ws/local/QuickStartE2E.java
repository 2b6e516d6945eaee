package dev.odin.ws.local;

import static dev.odin.ws.local.TestClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.shard.testing.WsClient;
import dev.odin.ws.shard.testing.WsClients;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The quick start, exactly as docs/local-mode.md gives it, run from the repository root: start, connect through
 * the printed port, publish with {@code ./odin-ws publish}, receive, Ctrl-C (SIGTERM), nothing left running.
 */
class QuickStartE2E {
  private static final Path ROOT = Path.of(System.getProperty("odin.repoRoot")).toAbsolutePath().normalize();

  @Test
  @Timeout(240)
  void theQuickStartCommandRunsAClusterThatDeliversAPublishedRecordAndStopsCleanly() throws Exception {
    Process runner = start("./odin-ws", "local", "-f", "examples/wscluster-local.yaml");
    List<String> output = collect(runner);
    try (WsClients clients = new WsClients()) {
      String connect = await(Duration.ofSeconds(120)).until(
          () -> output.stream().filter(l -> l.startsWith(Banner.CONNECT)).findFirst().orElse(null), l -> l != null);
      URI uri = URI.create(connect.substring(connect.indexOf("ws://")).strip());
      List<ProcessHandle> shards = await(Duration.ofSeconds(30)).until(
          () -> runner.descendants().filter(ProcessHandle::isAlive).toList(), l -> l.size() == 3);

      // Shards take a while to become ready; until then the balancer answers 503, as a real one would.
      WsClient client = await(Duration.ofSeconds(120)).ignoreExceptions().until(() -> clients.connect(uri), c -> true);
      client.subscribe("BTC-USD");
      Process publish = start("./odin-ws", "publish", "BTC-USD", "{\"hello\":\"local\"}");
      List<String> published = collect(publish);
      assertThat(publish.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(publish.exitValue()).as("publish output: %s", published).isZero();
      assertThat(client.awaitReply("message", Duration.ofSeconds(60)).path("data").path("hello").asText())
          .isEqualTo("local");

      // SIGTERM (Ctrl-C's SIGINT runs the same shutdown hook). Through the handle: Process.destroy() would also
      // close our end of the runner's output, and with it the lines that show the orderly stop.
      runner.toHandle().destroy();
      assertThat(runner.waitFor(90, TimeUnit.SECONDS)).as("the runner exits").isTrue();
      assertThat(output).anyMatch(l -> l.contains("odin-ws local: stopped"));
      assertThat(shards).noneMatch(ProcessHandle::isAlive);
    } finally {
      runner.descendants().forEach(ProcessHandle::destroyForcibly);
      runner.destroyForcibly();
    }
    TestClusters.assertNoProcessLeft();
  }

  private static Process start(String... command) throws IOException {
    return new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
  }

  /** Every line the process prints, as it prints it, echoed to the test output. */
  private static List<String> collect(Process process) {
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
          System.out.println("[" + process.pid() + "] " + line);
        }
      } catch (IOException e) {
        lines.add("(output unreadable: " + e + ")");
      }
    });
    reader.setDaemon(true);
    reader.start();
    return lines;
  }
}
