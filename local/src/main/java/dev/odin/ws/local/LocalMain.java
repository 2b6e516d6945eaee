package dev.odin.ws.local;

import dev.odin.ws.api.InvalidWsClusterException;
import java.util.concurrent.CountDownLatch;

/** {@code ./odin-ws local}: runs a WsCluster file on this machine until Ctrl-C or SIGTERM. */
public final class LocalMain {
  private LocalMain() {}

  public static void main(String[] args) throws InterruptedException {
    LocalOptions options;
    try {
      options = LocalOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("odin-ws local: " + e.getMessage());
      System.err.println(LocalOptions.USAGE);
      System.exit(2);
      return;
    }
    LocalCluster cluster;
    try {
      cluster = LocalCluster.start(options, System.out);
    } catch (InvalidWsClusterException e) {
      System.err.println("odin-ws local: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      System.err.println("odin-ws local: could not start: " + e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGINT and SIGTERM both run this hook; the JVM exits once it returns, after everything stopped in order.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      cluster.close();
      stopped.countDown();
    }, "odin-ws-local-shutdown"));
    stopped.await();
  }
}
