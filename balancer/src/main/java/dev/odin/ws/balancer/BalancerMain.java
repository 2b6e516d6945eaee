package dev.odin.ws.balancer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the balancer standalone, configured from {@code ODIN_BALANCER_*} variables and {@code --flags}. */
public final class BalancerMain {

  private static final Logger LOG = LoggerFactory.getLogger(BalancerMain.class);

  private BalancerMain() {}

  public static void main(String[] args) {
    BalancerConfig config;
    try {
      config = BalancerConfig.fromEnvironment(System.getenv(), args);
    } catch (IllegalArgumentException e) {
      System.err.println("odin-ws balancer: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    LeastConnectionsBalancer balancer = new LeastConnectionsBalancer(config);
    balancer.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("stopping");
                  balancer.stop();
                },
                "balancer-shutdown"));
    // The event loop threads are not daemons: they keep the process alive until the hook stops them.
  }
}
