package dev.odin.ws.observability;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** Debian's prometheus binary as a plain process on a free loopback port, with its own config and storage. */
final class Prometheus implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final int port;
  private final Path dir;

  private Prometheus(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** The path of a tool the prometheus package installs; fails (never skips) when it is missing. */
  static String binary(String name) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(entry, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return fail(name + " is not on PATH: run scripts/install-test-tools.sh (it installs Debian's prometheus"
        + " package, which brings prometheus and promtool)");
  }

  /**
   * Starts Prometheus scraping every second. {@code jobs} maps a job name to its host:port targets;
   * {@code ruleFile} is loaded as a rule file and evaluated every second.
   */
  static Prometheus start(Map<String, List<String>> jobs, Path ruleFile) throws IOException {
    String binary = binary("prometheus");
    Path dir = Files.createTempDirectory("odin-prometheus");
    StringBuilder config = new StringBuilder()
        .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n")
        .append("rule_files:\n  - ").append(ruleFile.toAbsolutePath()).append("\n")
        .append("scrape_configs:\n");
    jobs.forEach((job, targets) -> config.append("  - job_name: ").append(job).append("\n")
        .append("    static_configs:\n      - targets: [")
        .append(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())).append("]\n"));
    Files.writeString(dir.resolve("prometheus.yml"), config);
    int port = freePort();
    Process process = new ProcessBuilder(binary,
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
    Prometheus prometheus = new Prometheus(process, port, dir);
    Awaitility.await("Prometheus ready (log: " + dir.resolve("prometheus.log") + ")")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
          }
          return prometheus.statusOf("/-/ready") == 200;
        });
    return prometheus;
  }

  /** The instant-query result vector (or matrix, for range selectors), as returned by /api/v1/query. */
  JsonNode query(String promql) {
    JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (!"success".equals(answer.path("status").asText())) {
      throw new AssertionError("query failed: " + promql + "\n" + answer);
    }
    return answer.path("data").path("result");
  }

  /** Every metric name Prometheus holds. */
  List<String> metricNames() {
    List<String> names = new ArrayList<>();
    get("/api/v1/label/__name__/values").path("data").forEach(n -> names.add(n.asText()));
    return names;
  }

  JsonNode get(String pathAndQuery) {
    try {
      HttpResponse<String> response = HTTP.send(request(pathAndQuery), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private int statusOf(String path) {
    try {
      return HTTP.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
        .GET().build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }
}
