package dev.odin.ws.local;

import dev.odin.ws.balancer.BalancerConfig;
import dev.odin.ws.balancer.LeastConnectionsBalancer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.OptionalInt;

/** Starts the balancer module on the public port, in this JVM, listening on loopback only. */
final class LocalBalancer {
  private LocalBalancer() {}

  /**
   * Binds {@code port} when given (failing if it is taken), else {@link LocalOptions#DEFAULT_PORT}, falling back to
   * a free port with a notice: the quick start must work on a machine where 8000 is busy.
   */
  static LeastConnectionsBalancer start(String cluster, OptionalInt port, PrintStream out) {
    if (port.isPresent()) {
      return started(cluster, port.getAsInt());
    }
    try {
      return started(cluster, LocalOptions.DEFAULT_PORT);
    } catch (Exception e) {
      out.println("odin-ws local: port " + LocalOptions.DEFAULT_PORT + " is taken (" + e.getMessage()
          + "); using a free port instead (choose one with --port)");
      return started(cluster, 0);
    }
  }

  private static LeastConnectionsBalancer started(String cluster, int port) {
    LeastConnectionsBalancer balancer = new LeastConnectionsBalancer(BalancerConfig.builder()
        .cluster(cluster)
        .bindAddress("127.0.0.1")
        .port(port)
        .managementPort(0)
        // Twice as often as the default: a restarted or added shard takes clients sooner; checks are cheap here.
        .healthCheckInterval(Duration.ofMillis(500))
        .ioThreads(2)
        .build());
    balancer.start();
    return balancer;
  }
}
