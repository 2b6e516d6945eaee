package dev.odin.ws.balancer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A least-connections TCP/HTTP balancer in front of shard processes: each client connection goes to the
 * healthy backend to which this balancer holds the fewest open connections, and stays there for its life.
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #setBackends} as often as the shard set changes,
 * {@link #stop()}. All methods may be called from any thread except a Netty event loop ({@code start} and
 * {@code stop} wait for sockets).
 */
public final class LeastConnectionsBalancer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeastConnectionsBalancer.class);

  private final BalancerConfig config;
  private final Transport transport = Transport.detect();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final BalancerMetrics metrics;
  private final BackendPool pool;
  private HealthChecker healthChecker;
  private EventLoopGroup acceptGroup;
  private EventLoopGroup ioGroup;
  private Channel proxyChannel;
  private Channel managementChannel;

  public LeastConnectionsBalancer(BalancerConfig config) {
    this.config = config;
    this.metrics = new BalancerMetrics(registry, config.cluster());
    this.pool = new BackendPool(metrics);
    pool.setBackends(config.backends());
  }

  /** Binds the proxy and management ports and starts health checking; fails if a port cannot be bound. */
  public synchronized void start() {
    if (ioGroup != null) {
      throw new IllegalStateException("already started");
    }
    acceptGroup = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
    ioGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), transport.ioHandlerFactory());
    try {
      proxyChannel =
          new ServerBootstrap()
              .group(acceptGroup, ioGroup)
              .channel(transport.serverChannel())
              .option(ChannelOption.SO_BACKLOG, 4096)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new WriteBufferWaterMark(
                      config.writeBufferLowBytes(), config.writeBufferHighBytes()))
              .childHandler(new ProxyInitializer(pool, metrics, config, transport))
              .bind(config.bindAddress(), config.port())
              .syncUninterruptibly()
              .channel();
      managementChannel =
          new ServerBootstrap()
              .group(acceptGroup, ioGroup)
              .channel(transport.serverChannel())
              .childHandler(new ManagementInitializer(new ManagementHandler(registry, pool::status)))
              .bind(config.bindAddress(), config.managementPort())
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
    healthChecker =
        new HealthChecker(
            pool,
            metrics,
            ioGroup,
            transport.socketChannel(),
            config.healthCheckInterval(),
            config.healthCheckTimeout(),
            config.healthCheckErrorThreshold());
    healthChecker.start();
    LOG.info(
        "balancer listening on {}:{} (management {}), transport {}, {}",
        config.bindAddress(),
        port(),
        managementPort(),
        transport.name(),
        config);
  }

  /**
   * Replaces the backend list. New backends get connections once their first health check passes (it runs
   * at once); removed ones get no new connections but keep the ones they have until those close.
   */
  public synchronized void setBackends(List<Backend> backends) {
    BalancerConfig.checkBackends(backends);
    List<BackendState> fresh = pool.setBackends(backends);
    // Before start() there is nothing to check with; start() checks every backend at once anyway.
    if (healthChecker != null) {
      healthChecker.checkNow(fresh);
    }
  }

  /** Every backend in the list, then any removed one that still carries connections. */
  public List<BackendStatus> status() {
    return pool.status();
  }

  /** The bound proxy port (the real one when configured as 0); only after {@link #start()}. */
  public int port() {
    return boundPort(proxyChannel);
  }

  /** The bound management port; only after {@link #start()}. */
  public int managementPort() {
    return boundPort(managementChannel);
  }

  private static int boundPort(Channel server) {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Stops accepting, closes every proxied connection and stops health checks. */
  public synchronized void stop() {
    if (healthChecker != null) {
      healthChecker.stop();
    }
    if (proxyChannel != null) {
      proxyChannel.close().syncUninterruptibly();
    }
    if (managementChannel != null) {
      managementChannel.close().syncUninterruptibly();
    }
    if (ioGroup != null) {
      ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    registry.close();
  }

  @Override
  public void close() {
    stop();
  }
}
