package dev.odin.ws.testenv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import sun.misc.Signal;

/**
 * The program the process kubelet's tests run as a pod's container: an HTTP server on {@code $BIND_ADDRESS:$PORT}
 * with probe endpoints a test can turn unhealthy, its environment (values URL-encoded) and files as it sees them, an exit on request, and
 * calls to the API server with the in-cluster configuration fabric8 finds. {@code IGNORE_SIGTERM=true} makes it ignore
 * SIGTERM (only SIGKILL ends it); {@code START_UNREADY=true} makes /readyz fail and {@code START_DEAD=true} /healthz
 * until told otherwise.
 */
public final class PodProcessMain {
  private static final AtomicBoolean ALIVE = new AtomicBoolean(true);
  private static final AtomicBoolean READY = new AtomicBoolean(true);
  private static final AtomicInteger READINESS_CHECKS = new AtomicInteger();
  private static final AtomicInteger HEALTH_CHECKS = new AtomicInteger();

  private PodProcessMain() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> env = System.getenv();
    READY.set(!"true".equals(env.get("START_UNREADY")));
    ALIVE.set(!"true".equals(env.get("START_DEAD")));
    if ("true".equals(env.get("IGNORE_SIGTERM"))) {
      Signal.handle(new Signal("TERM"), s -> System.out.println("SIGTERM received at " + System.currentTimeMillis()
          + ", ignored"));
    } else {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("SIGTERM received, stopping")));
    }
    String address = env.getOrDefault("BIND_ADDRESS", "127.0.0.1");
    int port = Integer.parseInt(env.getOrDefault("PORT", "8080"));
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 50);
    server.createContext("/healthz", x -> {
      HEALTH_CHECKS.incrementAndGet();
      reply(x, ALIVE.get() ? 200 : 500, "alive=" + ALIVE.get());
    });
    server.createContext("/healthz-checks", x -> reply(x, 200, String.valueOf(HEALTH_CHECKS.get())));
    server.createContext("/readyz", x -> {
      READINESS_CHECKS.incrementAndGet();
      reply(x, READY.get() ? 200 : 503, "ready=" + READY.get());
    });
    server.createContext("/readiness-checks", x -> reply(x, 200, String.valueOf(READINESS_CHECKS.get())));
    server.createContext("/set", x -> {
      Map<String, String> q = query(x);
      if (q.containsKey("ready")) {
        READY.set(Boolean.parseBoolean(q.get("ready")));
      }
      if (q.containsKey("alive")) {
        ALIVE.set(Boolean.parseBoolean(q.get("alive")));
      }
      reply(x, 200, "ready=" + READY.get() + " alive=" + ALIVE.get());
    });
    server.createContext("/env", x -> reply(x, 200, new TreeMap<>(System.getenv()).entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("\n"))));
    server.createContext("/file", x -> {
      Path file = Path.of(query(x).get("path"));
      reply(x, Files.isRegularFile(file) ? 200 : 404, Files.isRegularFile(file) ? Files.readString(file) : "");
    });
    server.createContext("/exit", x -> {
      int code = Integer.parseInt(query(x).getOrDefault("code", "0"));
      reply(x, 200, "exiting with " + code);
      System.out.println("exiting with " + code + " as asked");
      Runtime.getRuntime().halt(code);
    });
    server.createContext("/api", x -> reply(x, 200, callApi(query(x).get("path"))));
    server.start();
    System.out.println("listening on " + address + ":" + port + " as " + env.get("HOSTNAME"));
  }

  // "<status>\n<body or message>": the API server's answer to a GET with the configuration fabric8 finds itself (as
  // OperatorMain's new KubernetesClientBuilder().build() does), without retries so that a failure is reported at once.
  private static String callApi(String path) {
    Config config = Config.autoConfigure(null);
    config.setRequestRetryBackoffLimit(0);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      return "200\n" + client.raw(path);
    } catch (KubernetesClientException e) {
      return e.getCode() + "\n" + e.getMessage();
    } catch (RuntimeException e) {
      return "no answer\n" + e;
    }
  }

  private static Map<String, String> query(HttpExchange exchange) {
    String raw = exchange.getRequestURI().getRawQuery();
    Map<String, String> query = new TreeMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        String[] kv = pair.split("=", 2);
        query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    return query;
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
