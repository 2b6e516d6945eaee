package dev.odin.ws.operator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A shard's management API on a local port: /stats with settable connections, POST /drain recorded. */
final class FakeShard implements AutoCloseable {
  private final int index;
  private final HttpServer server;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  final AtomicLong connections = new AtomicLong();
  volatile Instant drainRequestedAt;
  /** Every POST /drain, by the close code it asked for (1012 unless ?code= says otherwise). */
  final java.util.List<String> drainCodes = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The Authorization header of the last POST /drain. */
  volatile String drainAuthorization;

  private final boolean keepClients;

  FakeShard(int index, long connections) {
    this(index, connections, false);
  }

  /** @param keepClients true: a drain never empties this shard (its clients stay until the window ends) */
  FakeShard(int index, long connections, boolean keepClients) {
    this.index = index;
    this.keepClients = keepClients;
    this.connections.set(connections);
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/stats", ex -> {
      byte[] body = ("{\"cluster\":\"prices\",\"shard\":" + index + ",\"consumerGroup\":\"prices-" + index
          + "\",\"connections\":" + this.connections.get() + ",\"subscriptions\":1,\"capacity\":20000,\"lag\":0,"
          + "\"draining\":" + (drainRequestedAt != null) + ",\"ready\":" + (drainRequestedAt == null)
          + ",\"assignedPartitions\":1}").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.createContext("/drain", ex -> {
      String query = ex.getRequestURI().getQuery();
      drainCodes.add(query != null && query.startsWith("code=") ? query.substring(5) : "1012");
      drainAuthorization = ex.getRequestHeaders().getFirst("Authorization");
      if (drainRequestedAt == null && !keepClients) {
        drainRequestedAt = Instant.now();
        // Clients leave over a short while, as a real shard closes them paced over its window.
        timer.schedule(() -> this.connections.set(0), 400, TimeUnit.MILLISECONDS);
      }
      if (drainRequestedAt == null) {
        drainRequestedAt = Instant.now();
      }
      ex.sendResponseHeaders(202, -1);
      ex.close();
    });
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  int index() {
    return index;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    server.stop(0);
  }
}
