package dev.odin.ws.balancer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the parsed request head, picks the least-connected healthy backend, connects (once more to the next
 * best if that fails), forwards the head with the forwarding headers and then hands both channels to a pair
 * of {@link RelayHandler}s. Reading from the client pauses while the backend connection is being made.
 */
final class ProxyFrontendHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyFrontendHandler.class);
  private static final int MAX_ATTEMPTS = 2;

  private final BackendPool pool;
  private final BalancerMetrics metrics;
  private final BalancerConfig config;
  private final Class<? extends Channel> socketChannel;

  private RequestHead head;
  // Bytes the client sent after the head, held until the backend connection exists.
  private final List<Object> pending = new ArrayList<>();
  private final Set<BackendState> tried = new HashSet<>();

  ProxyFrontendHandler(
      BackendPool pool,
      BalancerMetrics metrics,
      BalancerConfig config,
      Class<? extends Channel> socketChannel) {
    this.pool = pool;
    this.metrics = metrics;
    this.config = config;
    this.socketChannel = socketChannel;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (head == null && msg instanceof RequestHead h) {
      head = h;
      ctx.channel().config().setAutoRead(false);
      connect(ctx);
    } else {
      pending.add(msg);
    }
  }

  private void connect(ChannelHandlerContext ctx) {
    BackendState backend = pool.pick(tried);
    if (backend == null) {
      (tried.isEmpty() ? Rejection.NO_HEALTHY_BACKEND : Rejection.BACKEND_CONNECT_FAILED)
          .reply(ctx.channel(), metrics);
      return;
    }
    tried.add(backend);
    Channel client = ctx.channel();
    Backend b = backend.backend();
    ChannelFuture connect =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(socketChannel)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(config.writeBufferLowBytes(), config.writeBufferHighBytes()))
            .handler(new RelayHandler(client))
            .connect(b.host(), b.wsPort());
    // The single place the pick's count is given back: every backend channel closes exactly once, including
    // after a failed connect (Bootstrap closes it on failure).
    connect.channel().closeFuture().addListener(f -> backend.release());
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            connected(ctx, connect.channel(), backend);
          } else {
            LOG.debug("{} connect to backend {} failed", client, b, f.cause());
            connect.channel().close();
            // Passive health: stop sending others there until the next active check says otherwise.
            if (backend.healthy(false)) {
              LOG.warn(
                  "connect to backend {} failed ({}): unhealthy until it passes a check", b, f.cause().toString());
            }
            if (!client.isActive()) {
              return;
            }
            if (tried.size() < MAX_ATTEMPTS) {
              connect(ctx);
            } else {
              Rejection.BACKEND_CONNECT_FAILED.reply(client, metrics);
            }
          }
        });
  }

  private void connected(ChannelHandlerContext ctx, Channel backendChannel, BackendState backend) {
    Channel client = ctx.channel();
    if (!client.isActive()) {
      backendChannel.close();
      return;
    }
    metrics.connectionOpened(backend.backend().index());
    RequestHead forwarded = head.forwarded(clientAddress(client), "http");
    String bytes = forwarded.encode();
    // writeAscii stores each char's low byte: exact for the ISO-8859-1 text the head was decoded as.
    ByteBuf encoded = backendChannel.alloc().buffer(bytes.length());
    ByteBufUtil.writeAscii(encoded, bytes);
    backendChannel.write(encoded);
    for (Object msg : pending) {
      backendChannel.write(msg);
    }
    pending.clear();
    backendChannel.flush();
    ctx.pipeline().replace(this, "relay", new RelayHandler(backendChannel));
    backendChannel.config().setAutoRead(true);
    client.config().setAutoRead(true);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // The client left before the relay was set up; a backend connect still in flight sees an inactive
    // client in its listener and closes its channel there.
    releasePending();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releasePending();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("{} error before relaying, closing", ctx.channel(), cause);
    ctx.close();
  }

  private void releasePending() {
    pending.forEach(ReferenceCountUtil::release);
    pending.clear();
  }

  private static String clientAddress(Channel client) {
    return client.remoteAddress() instanceof InetSocketAddress a
        ? a.getAddress().getHostAddress()
        : "unknown";
  }
}
