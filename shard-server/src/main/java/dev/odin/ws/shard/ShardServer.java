package dev.odin.ws.shard;

import dev.odin.ws.shard.auth.Authenticator;
import dev.odin.ws.shard.auth.ManagementToken;
import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.kafka.BroadcastConsumer;
import dev.odin.ws.shard.kafka.ChannelFeeds;
import dev.odin.ws.shard.kafka.ReplayService;
import dev.odin.ws.shard.kafka.TopicIds;
import dev.odin.ws.shard.management.ManagementHandler;
import dev.odin.ws.shard.metrics.LoadSampler;
import dev.odin.ws.shard.metrics.ShardMetrics;
import dev.odin.ws.shard.ws.ClientSessions;
import dev.odin.ws.shard.ws.CloseReason;
import dev.odin.ws.shard.ws.SessionServices;
import dev.odin.ws.shard.ws.ShardServerInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One shard: the WebSocket server, the management server and the Kafka consumer, wired together. */
public final class ShardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ShardServer.class);

  private final ShardServerConfig config;
  private final Transport transport = Transport.best();
  private final EventLoopGroup acceptGroup;
  private final EventLoopGroup ioGroup;
  private final EventLoopGroup managementGroup;
  private final ShardMetrics metrics;
  private final FanOut fanOut;
  private final BroadcastConsumer consumer;
  private final ReplayService replay;
  private final ShardState state;
  private final ClientSessions sessions;
  private final Authenticator auth;
  private final ConnectionCloser closer = new ConnectionCloser();
  private Channel wsChannel;
  private Channel managementChannel;

  private ShardServer(ShardServerConfig config) {
    this.config = config;
    this.acceptGroup = transport.newGroup(1, "ws-accept");
    this.ioGroup = transport.newGroup(config.ioThreads(), "ws-io");
    this.managementGroup = transport.newGroup(1, "management");
    this.metrics = new ShardMetrics(config.cluster(), config.shardIndex());
    this.fanOut = new FanOut(ioGroup, metrics);
    TopicIds topicIds = new TopicIds();
    ChannelFeeds feeds = new ChannelFeeds();
    this.consumer = new BroadcastConsumer(config, fanOut, topicIds, feeds, metrics);
    this.replay = new ReplayService(config, topicIds, feeds, metrics);
    this.state = new ShardState(config, consumer);
    this.sessions = new ClientSessions(ioGroup);
    this.auth = new Authenticator(config.auth(), config.handshakeTimeout(), metrics);
    metrics.bindState(state::connections, fanOut::subscriptions, consumer::lag,
        () -> state.draining() ? 1 : 0, config::maxConnections);
    for (CloseReason reason : CloseReason.values()) {
      metrics.declare("closed", reason.label());
    }
    for (String reason :
        new String[] {"full", "draining", "not_found", "not_websocket", "handshake_timeout", "origin"}) {
      metrics.declare("rejected", reason);
    }
    metrics.declare("dropped", "slow_client");
    metrics.declare("dropped", "no_channel");
  }

  /** Binds both ports and starts consuming. */
  public static ShardServer start(ShardServerConfig config) {
    ShardServer server = new ShardServer(config);
    try {
      server.bind();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void bind() {
    wsChannel = new ServerBootstrap()
        .group(acceptGroup, ioGroup)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 8192)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(config.writeBufferLowBytes(), config.writeBufferHighBytes()))
        // Clients send little, and read buffers are pooled per read, not kept per connection: a fixed size
        // needs no per-connection size estimator (~50 bytes on every idle connection).
        .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
        .childHandler(new ShardServerInitializer(new SessionServices(state, fanOut, replay, metrics, sessions, auth)))
        .bind(new InetSocketAddress(config.bindAddress(), config.port()))
        .syncUninterruptibly()
        .channel();
    LoadSampler load = LoadSampler.forThisProcess(metrics::deliveredTotal);
    long interval = LoadSampler.INTERVAL.toMillis();
    managementGroup.scheduleAtFixedRate(load::sample, interval, interval, TimeUnit.MILLISECONDS);
    ManagementHandler management = new ManagementHandler(state, fanOut, metrics, this::drain, this::shed, load,
        new ManagementToken(config.auth().managementTokenFile()));
    managementChannel = new ServerBootstrap()
        .group(managementGroup)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), management);
          }
        })
        .bind(new InetSocketAddress(config.bindAddress(), config.managementPort()))
        .syncUninterruptibly()
        .channel();
    sessions.startSweeping(config.pingInterval());
    consumer.start();
    replay.start();
    log.info("shard {} of {} listening: ws {} management {} transport {} group {}",
        config.shardIndex(), config.cluster(), wsPort(), managementPort(), transport, config.consumerGroup());
  }

  public int wsPort() {
    return ((InetSocketAddress) wsChannel.localAddress()).getPort();
  }

  public int managementPort() {
    return ((InetSocketAddress) managementChannel.localAddress()).getPort();
  }

  public ShardState state() {
    return state;
  }

  public ShardMetrics metrics() {
    return metrics;
  }

  /** Stops taking clients and closes every client with 1012, paced over the drain window. */
  public CompletableFuture<Integer> drain() {
    return drain(CloseReason.DRAIN);
  }

  /**
   * Stops taking clients and closes every client with {@code reason}'s code (1012 for a drain, 1001 when the cluster
   * is going away), paced over the drain window. A shard already draining keeps its first drain: asking again
   * (an operator that took over mid-drain) closes nobody twice and does not restart the pacing.
   */
  public CompletableFuture<Integer> drain(CloseReason reason) {
    if (!state.startDraining()) {
      log.info("drain ({}) asked while already draining: {} connection(s) left", reason.label(), state.connections());
      return CompletableFuture.completedFuture(0);
    }
    log.info("draining {} connection(s) over {} with {}", state.connections(), config.drainWindow(), reason.code());
    String text = reason == CloseReason.GOING_AWAY ? "cluster going away" : "shard draining";
    return sessions.snapshot().thenCompose(clients ->
        closer.closePaced(clients, Integer.MAX_VALUE, config.drainWindow(), reason, text));
  }

  /** Closes {@code count} clients with 1012, paced over the drain window; the shard stays ready. */
  public CompletableFuture<Integer> shed(int count) {
    log.info("shedding {} connection(s) over {}", count, config.drainWindow());
    return sessions.snapshot().thenCompose(clients ->
        closer.closePaced(clients, count, config.drainWindow(), CloseReason.SHED, "rebalancing"));
  }

  /**
   * The SIGTERM path: readiness false at once, every client closed with 1012 over the drain window,
   * then the process may exit. Waits at most the window plus the close grace period.
   */
  public void shutdownGracefully() {
    state.startDraining();
    log.info("shutting down: closing {} connection(s) over {}", state.connections(), config.drainWindow());
    sessions.snapshot().thenCompose(clients ->
        closer.closePaced(clients, Integer.MAX_VALUE, config.drainWindow(), CloseReason.SHUTDOWN, "shard restarting"));
    long deadline = System.nanoTime() + config.drainWindow().plus(Duration.ofSeconds(6)).toNanos();
    while (state.connections() > 0 && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
  }

  /** Stops at once: clients are cut, the consumer commits and leaves its group. */
  @Override
  public void close() {
    if (wsChannel != null) {
      wsChannel.close().syncUninterruptibly();
    }
    if (managementChannel != null) {
      managementChannel.close().syncUninterruptibly();
    }
    consumer.close();
    replay.close();
    auth.close();
    closer.close();
    acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    // Bounded: a loop thread that died abnormally never completes its group's termination, and a shard that
    // cannot exit on SIGTERM is worse than one that exits with a warning.
    boolean stopped = ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS)
        & managementGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    if (stopped) {
      log.info("shard {} stopped", config.shardIndex());
    } else {
      log.warn("shard {} stopped without every event loop confirming within 10 s", config.shardIndex());
    }
  }
}
