package dev.odin.ws.operator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shard's management API on a local port: /stats with settable connections and CPU use, POST /drain and POST /shed
 * recorded; a shed hands its clients to {@link #onShed}, which a test uses to place them as a balancer would.
 */
final class FakeShard implements AutoCloseable {
  private final int index;
  private final HttpServer server;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  /** A thread per request: a held /stats answer does not hold /drain or /shed. */
  private final java.util.concurrent.ExecutorService handlers = Executors.newCachedThreadPool();
  final AtomicLong connections = new AtomicLong();
  /** CPU use over the last interval as a fraction of the shard's CPU limit; null: not measured yet. */
  volatile Double cpuUtilization;
  /** Every POST /shed's count, in order. */
  final java.util.List<Integer> sheds = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Called with the clients a shed closed (they have left this shard): where they reconnect is the test's. */
  volatile java.util.function.IntConsumer onShed = n -> { };
  volatile Instant drainRequestedAt;
  /** Every POST /drain, by the close code it asked for (1012 unless ?code= says otherwise). */
  final java.util.List<String> drainCodes = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The Authorization header of the last POST /drain. */
  volatile String drainAuthorization;
  /** The Authorization header of the last POST /shed. */
  volatile String shedAuthorization;

  /** How long /stats holds its answer: a shard slow to answer keeps the operator's reconcile in flight. */
  volatile Duration statsDelay = Duration.ZERO;
  /** The connections a held /stats answer reports (only a held answer reports them). */
  volatile long connectionsAfterDelay;
  /** Set when a /stats request arrives while {@link #statsDelay} holds it. */
  final java.util.concurrent.atomic.AtomicBoolean statsHeld = new java.util.concurrent.atomic.AtomicBoolean();

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
    server.setExecutor(handlers);
    server.createContext("/stats", ex -> {
      Duration delay = statsDelay;
      long reported = this.connections.get();
      if (!delay.isZero()) {
        statsHeld.set(true);
        try {
          Thread.sleep(delay.toMillis()); // a slow shard, not synchronisation: the answer comes after the delay
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        reported = connectionsAfterDelay;
      }
      byte[] body = ("{\"cluster\":\"prices\",\"shard\":" + index + ",\"consumerGroup\":\"prices-" + index
          + "\",\"connections\":" + reported + ",\"subscriptions\":1,\"capacity\":20000,\"lag\":0,"
          + "\"draining\":" + (drainRequestedAt != null) + ",\"ready\":" + (drainRequestedAt == null)
          + ",\"assignedPartitions\":1,\"deliveriesPerSecond\":0.0,\"cpuUtilization\":" + cpuUtilization + "}")
          .getBytes(StandardCharsets.UTF_8);
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
    server.createContext("/shed", ex -> {
      String query = ex.getRequestURI().getQuery();
      int count = Integer.parseInt(query.substring("count=".length()));
      sheds.add(count);
      shedAuthorization = ex.getRequestHeaders().getFirst("Authorization");
      int closed = (int) Math.min(count, this.connections.get());
      this.connections.addAndGet(-closed);
      // The closed clients come back a moment later, through the balancer.
      timer.schedule(() -> onShed.accept(closed), 200, TimeUnit.MILLISECONDS);
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
    handlers.shutdownNow();
  }
}
