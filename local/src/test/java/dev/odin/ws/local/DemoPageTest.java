package dev.odin.ws.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo page's server over real HTTP: it serves the client's page and build, shows the shards, and lets only
 * its own page drain a shard.
 */
class DemoPageTest {
  private final List<Integer> drained = new CopyOnWriteArrayList<>();
  private final FakeCluster cluster = new FakeCluster();
  @TempDir
  Path root;
  private DemoPage page;

  @BeforeEach
  void start() throws IOException {
    Files.createDirectories(root.resolve("demo"));
    Files.createDirectories(root.resolve("dist"));
    Files.writeString(root.resolve("demo/index.html"), "<h1>demo</h1>");
    Files.writeString(root.resolve("dist/index.js"), "export const x = 1;");
    Files.writeString(root.resolve("package.json"), "{\"secret\":true}");
    page = DemoPage.start(root, cluster, 0);
  }

  @AfterEach
  void stop() {
    page.close();
  }

  @Test
  void servesThePageAtTheRootAndTheClientBuildAsJavaScript() throws IOException {
    Response index = request("GET", "/", host(), null);
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(index.body()).isEqualTo("<h1>demo</h1>");
    Response client = request("GET", "/dist/index.js", host(), null);
    assertThat(client.status()).isEqualTo(200);
    assertThat(client.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
    assertThat(client.body()).isEqualTo("export const x = 1;");
  }

  @Test
  void servesNothingOutsideTheDemoAndDistDirectories() throws IOException {
    assertThat(request("GET", "/package.json", host(), null).status()).isEqualTo(404);
    assertThat(request("GET", "/dist/%2e%2e/package.json", host(), null).status()).isEqualTo(404);
    assertThat(request("GET", "/dist/", host(), null).status()).isEqualTo(404);
  }

  @Test
  void describesTheClusterAndEachShardsStateAsJson() throws IOException {
    Response response = request("GET", "/api/cluster", host(), null);
    assertThat(response.status()).isEqualTo(200);
    JsonNode json = new ObjectMapper().readTree(response.body());
    assertThat(json.path("cluster").asText()).isEqualTo("demo-test");
    assertThat(json.path("websocket").asText()).isEqualTo("ws://127.0.0.1:8123/ws");
    assertThat(json.path("channels").toString()).isEqualTo("[\"BTC-USD\"]");
    assertThat(json.path("shards").toString()).isEqualTo(
        "[{\"index\":0,\"state\":\"serving\",\"connections\":4,\"pid\":4242},"
            + "{\"index\":1,\"state\":\"draining\",\"connections\":1,\"pid\":4343},"
            + "{\"index\":2,\"state\":\"restarting\",\"connections\":0}]");
  }

  @Test
  void itsOwnPageDrainsAShard() throws IOException {
    Response response = request("POST", "/api/shards/0/drain", host(), "http://" + host());
    assertThat(response.status()).isEqualTo(202);
    assertThat(response.body()).contains("draining shard 0");
    assertThat(drained).containsExactly(0);
    assertThat(request("POST", "/api/shards/0/drain", "localhost:" + page.port(), null).status())
        .as("no Origin: not a cross-site browser request").isEqualTo(202);
  }

  @Test
  void anotherSiteCannotDrainAShardNorReadThroughDnsRebinding() throws IOException {
    Response crossSite = request("POST", "/api/shards/0/drain", host(), "http://evil.example");
    assertThat(crossSite.status()).isEqualTo(403);
    assertThat(crossSite.body()).contains("only this page may drain a shard, not http://evil.example");
    Response rebound = request("GET", "/api/cluster", "evil.example:" + page.port(), null);
    assertThat(rebound.status()).isEqualTo(403);
    assertThat(rebound.body()).startsWith("unexpected Host header");
    assertThat(drained).isEmpty();
  }

  @Test
  void anUnknownShardOrOneAlreadyDrainingIsRefusedWithAReason() throws IOException {
    Response unknown = request("POST", "/api/shards/7/drain", host(), null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).contains("there is no shard 7");
    Response busy = request("POST", "/api/shards/1/drain", host(), null);
    assertThat(busy.status()).isEqualTo(409);
    assertThat(busy.body()).contains("shard 1 is already draining or restarting");
    assertThat(request("GET", "/api/shards/0/drain", host(), null).status()).isEqualTo(405);
    assertThat(drained).isEmpty();
  }

  private String host() {
    return "127.0.0.1:" + page.port();
  }

  private record Response(int status, String head, String body) {
    String header(String name) {
      return head.lines().filter(l -> l.toLowerCase().startsWith(name + ":"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(null);
    }
  }

  /** A raw HTTP/1.1 request, so that the test controls the Host and Origin headers a browser would send. */
  private Response request(String method, String path, String host, String origin) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), page.port())) {
      OutputStream out = socket.getOutputStream();
      String request = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
          + (origin == null ? "" : "Origin: " + origin + "\r\n") + "Content-Length: 0\r\nConnection: close\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String head = text.substring(0, split);
      return new Response(Integer.parseInt(head.split(" ")[1]), head, text.substring(split + 4));
    }
  }

  private final class FakeCluster implements DemoPage.Cluster {
    @Override
    public String name() {
      return "demo-test";
    }

    @Override
    public int webSocketPort() {
      return 8123;
    }

    @Override
    public List<String> channels() {
      return List.of("BTC-USD");
    }

    @Override
    public List<ShardView> shards() {
      return List.of(
          new ShardView(0, Optional.of(new ShardSupervisor.Endpoint(4242, 1, 2)), true, 4, false),
          new ShardView(1, Optional.of(new ShardSupervisor.Endpoint(4343, 3, 4)), false, 1, true),
          new ShardView(2, Optional.empty(), false, 0, false));
    }

    @Override
    public boolean drain(int index) {
      if (index == 1) {
        return false;
      }
      drained.add(index);
      return true;
    }
  }
}
