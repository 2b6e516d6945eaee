package dev.odin.ws.balancer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A stand-in shard for tests: a WebSocket echo server on {@code /ws} (the text {@code whoami} is answered
 * with {@code backend-<index>}) and a management server whose {@code /readyz} answers 200 or 503 as set.
 */
final class EchoBackend {

  static final int MAX_FRAME = 2 * 1024 * 1024;

  private final int index;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  // Every accepted channel on either port, so that stop() looks like the process died.
  private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Queue<String> forwardedFor = new ConcurrentLinkedQueue<>();
  private final Queue<String> forwardedProto = new ConcurrentLinkedQueue<>();
  private volatile boolean ready = true;
  private Channel wsServer;
  private Channel managementServer;

  EchoBackend(int index) {
    this.index = index;
  }

  EchoBackend start(EventLoopGroup group, Transport transport) {
    wsServer = bind(group, transport, new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        accepted.add(ch);
        ch.pipeline()
            .addLast(new HttpServerCodec())
            .addLast(new HttpObjectAggregator(65536))
            .addLast(new HeaderRecorder())
            .addLast(
                new WebSocketServerProtocolHandler(
                    WebSocketServerProtocolConfig.newBuilder()
                        .websocketPath("/ws")
                        .maxFramePayloadLength(MAX_FRAME)
                        .build()))
            .addLast(new Echo());
      }
    });
    managementServer = bind(group, transport, new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        accepted.add(ch);
        ch.pipeline()
            .addLast(new HttpServerCodec())
            .addLast(new HttpObjectAggregator(4096))
            .addLast(new Readyz());
      }
    });
    return this;
  }

  private static Channel bind(EventLoopGroup group, Transport transport, ChannelInitializer<Channel> init) {
    return new ServerBootstrap()
        .group(group)
        .channel(transport.serverChannel())
        .childHandler(init)
        .bind("127.0.0.1", 0)
        .syncUninterruptibly()
        .channel();
  }

  Backend backend() {
    return new Backend(
        index,
        "127.0.0.1",
        ((InetSocketAddress) wsServer.localAddress()).getPort(),
        ((InetSocketAddress) managementServer.localAddress()).getPort());
  }

  int index() {
    return index;
  }

  void ready(boolean value) {
    ready = value;
  }

  /** Upgraded WebSocket connections currently open. */
  int connections() {
    return connections.size();
  }

  Queue<String> forwardedFor() {
    return forwardedFor;
  }

  Queue<String> forwardedProto() {
    return forwardedProto;
  }

  /** Stops accepting WebSocket connections; the management port keeps answering. */
  void stopWebSocketPort() {
    wsServer.close().syncUninterruptibly();
  }

  /** Gone entirely: both ports closed and every WebSocket connection dropped. */
  void stop() {
    wsServer.close().syncUninterruptibly();
    managementServer.close().syncUninterruptibly();
    accepted.close().syncUninterruptibly();
  }

  private final class HeaderRecorder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest req) {
        String xff = req.headers().get("X-Forwarded-For");
        String proto = req.headers().get("X-Forwarded-Proto");
        forwardedFor.add(xff == null ? "<none>" : xff);
        forwardedProto.add(proto == null ? "<none>" : proto);
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
        connections.add(ctx.channel());
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof TextWebSocketFrame text && text.text().equals("whoami")) {
        text.release();
        ctx.writeAndFlush(new TextWebSocketFrame("backend-" + index));
      } else if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
        ctx.writeAndFlush(msg); // ownership passes to the write
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  private final class Readyz extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      boolean ok = ready && req.uri().equals("/readyz");
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
              Unpooled.copiedBuffer(ok ? "ready\n" : "draining\n", StandardCharsets.UTF_8));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      HttpUtil.setContentLength(res, res.content().readableBytes());
      HttpUtil.setKeepAlive(res, HttpUtil.isKeepAlive(req));
      var f = ctx.writeAndFlush(res);
      if (!HttpUtil.isKeepAlive(req)) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
