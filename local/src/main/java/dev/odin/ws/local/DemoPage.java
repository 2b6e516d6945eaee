package dev.odin.ws.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --demo}'s web page, on loopback: the JavaScript client's demo ({@code demo/}) and the client itself
 * ({@code dist/}) from the client's directory, the cluster's shards as JSON, and a button's endpoint that drains a
 * shard. Only this page may press that button: requests must name this server in {@code Host} (no DNS rebinding)
 * and, when a browser sends an {@code Origin}, come from this page's origin (no other site can drain a shard).
 */
final class DemoPage implements AutoCloseable {
  /** What the page shows of the running cluster, and the one thing it may change. */
  interface Cluster {
    String name();

    int webSocketPort();

    List<String> channels();

    /** Every shard, lowest index first. */
    List<ShardView> shards();

    /** Starts draining and restarting shard {@code index}; false when it does not run or already drains. */
    boolean drain(int index);
  }

  /** Next to the balancer's default 8000, so the quick start's two addresses are easy to remember. */
  static final int DEFAULT_PORT = 8001;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DRAIN = Pattern.compile("/api/shards/(\\d{1,6})/drain");
  private static final Map<String, String> CONTENT_TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "map", "application/json; charset=utf-8",
      "ts", "text/plain; charset=utf-8",
      "svg", "image/svg+xml");

  private final Path root;
  private final Cluster cluster;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "odin-ws-local-demo-page");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> hosts;

  private DemoPage(Path root, Cluster cluster, HttpServer server) {
    this.root = root.toAbsolutePath().normalize();
    this.cluster = cluster;
    this.server = server;
    int port = server.getAddress().getPort();
    this.hosts = Set.of("127.0.0.1:" + port, "localhost:" + port);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
  }

  /** The files a demo root must have: without them there is no page to serve. */
  static List<Path> requiredFiles(Path root) {
    return List.of(root.resolve("demo/index.html"), root.resolve("dist/index.js"));
  }

  /** Serves {@code root}'s page on 127.0.0.1:{@code port} (0: any free port). */
  static DemoPage start(Path root, Cluster cluster, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    DemoPage page = new DemoPage(root, cluster, server);
    server.start();
    return page;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String host = exchange.getRequestHeaders().getFirst("Host");
      if (host == null || !hosts.contains(host.toLowerCase())) {
        reply(exchange, 403, "text/plain; charset=utf-8", "unexpected Host header: this page answers only to "
            + String.join(" or ", hosts.stream().sorted().toList()));
        return;
      }
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      Matcher drain = DRAIN.matcher(path);
      if (drain.matches()) {
        if (!method.equals("POST")) {
          reply(exchange, 405, "text/plain; charset=utf-8", "POST to drain a shard");
        } else {
          drain(exchange, Integer.parseInt(drain.group(1)));
        }
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        reply(exchange, 405, "text/plain; charset=utf-8", "only GET here");
      } else if (path.equals("/api/cluster")) {
        reply(exchange, 200, "application/json", clusterJson());
      } else {
        file(exchange, path);
      }
    }
  }

  private void drain(HttpExchange exchange, int index) throws IOException {
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    if (origin != null && !hosts.contains(origin.toLowerCase().replaceFirst("^http://", ""))) {
      reply(exchange, 403, "application/json", message("only this page may drain a shard, not " + origin));
    } else if (cluster.shards().stream().noneMatch(s -> s.index() == index)) {
      reply(exchange, 404, "application/json", message("there is no shard " + index));
    } else if (!cluster.drain(index)) {
      reply(exchange, 409, "application/json", message("shard " + index + " is already draining or restarting"));
    } else {
      reply(exchange, 202, "application/json", message("draining shard " + index
          + ": its clients get 1012 and reconnect through the balancer; then it is started again"));
    }
  }

  private String clusterJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("cluster", cluster.name());
    node.put("websocket", "ws://127.0.0.1:" + cluster.webSocketPort() + "/ws");
    cluster.channels().forEach(node.putArray("channels")::add);
    ArrayNode shards = node.putArray("shards");
    for (ShardView view : cluster.shards()) {
      ObjectNode shard = shards.addObject();
      shard.put("index", view.index());
      shard.put("state", view.state());
      shard.put("connections", view.connections());
      view.endpoint().ifPresent(e -> shard.put("pid", e.pid()));
    }
    return node.toString();
  }

  private void file(HttpExchange exchange, String path) throws IOException {
    Path file = path.equals("/") ? root.resolve("demo/index.html") : root.resolve(path.substring(1)).normalize();
    boolean served = (file.startsWith(root.resolve("demo")) || file.startsWith(root.resolve("dist")))
        && Files.isRegularFile(file);
    if (!served) {
      reply(exchange, 404, "text/plain; charset=utf-8", "not found: " + path);
      return;
    }
    String name = file.getFileName().toString();
    String type = CONTENT_TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream");
    reply(exchange, 200, type, Files.readAllBytes(file));
  }

  private static String message(String text) {
    return JSON.createObjectNode().put("message", text).toString();
  }

  private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
    reply(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    // A page under development: never a stale copy of the client after a rebuild.
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head) {
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
