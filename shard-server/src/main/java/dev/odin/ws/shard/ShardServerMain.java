package dev.odin.ws.shard;

import dev.odin.ws.shard.config.ConfigException;
import dev.odin.ws.shard.config.ShardServerConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the shard process: configuration from the environment, then serve until SIGTERM. */
public final class ShardServerMain {
  private static final Logger log = LoggerFactory.getLogger(ShardServerMain.class);
  /** Descriptors the process needs besides client sockets: Kafka, listeners, jars, epoll. */
  private static final int RESERVED_FILE_DESCRIPTORS = 200;

  private ShardServerMain() {}

  public static void main(String[] args) {
    ShardServerConfig config;
    try {
      config = ShardServerConfig.fromEnvironment(System.getenv());
    } catch (ConfigException e) {
      System.err.println("odin-ws shard: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    log.info("starting shard: {}", config);
    warnIfFileLimitTooLow(config);
    ShardServer server = ShardServer.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownGracefully, "shutdown"));
  }

  private static void warnIfFileLimitTooLow(ShardServerConfig config) {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long limit = unix.getMaxFileDescriptorCount();
      if (limit - RESERVED_FILE_DESCRIPTORS < config.maxConnections()) {
        log.warn("the open-file limit ({}) is lower than ODIN_WS_MAX_CONNECTIONS ({}) plus {} reserved: this shard "
                + "will fail to accept connections at about {} clients. Raise `ulimit -n` or lower ODIN_WS_MAX_CONNECTIONS.",
            limit, config.maxConnections(), RESERVED_FILE_DESCRIPTORS, limit - RESERVED_FILE_DESCRIPTORS);
      }
    }
  }
}
