package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ShardAdminClientTest {
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile boolean failing;
  private HttpServer server;
  private URI base;
  private final ShardAdminClient client = new ShardAdminClient(Duration.ofSeconds(5));

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
      String path = exchange.getRequestURI().getPath();
      byte[] body = path.equals("/stats")
          ? ("{\"cluster\":\"c\",\"shard\":2,\"consumerGroup\":\"c-2\",\"connections\":12,\"subscriptions\":30,"
              + "\"capacity\":20000,\"lag\":null,\"draining\":false,\"ready\":true,\"assignedPartitions\":3,"
              + "\"futureField\":1}").getBytes(StandardCharsets.UTF_8)
          : new byte[0];
      int code = failing ? 500 : path.equals("/stats") ? 200 : 202;
      exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void statsAreReadIncludingUnknownLagAndIgnoringNewFields() throws Exception {
    ShardStats stats = client.stats(base);
    assertEquals(12, stats.connections());
    assertEquals(2, stats.shard());
    assertEquals("c-2", stats.consumerGroup());
    assertNull(stats.lag());
  }

  @Test
  void drainAndShedArePosts() throws Exception {
    client.drain(base);
    client.shed(base, 7);
    assertEquals(List.of("POST /drain", "POST /shed?count=7"), requests);
  }

  @Test
  void aNon2xxAnswerIsAnError() {
    failing = true;
    assertThrows(IOException.class, () -> client.drain(base));
  }
}
