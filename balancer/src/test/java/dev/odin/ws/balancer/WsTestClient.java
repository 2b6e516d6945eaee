package dev.odin.ws.balancer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real Netty WebSocket client for tests. {@link #connect} completes when the upgrade succeeds, or
 * exceptionally with the handshake error (which carries the HTTP status of a 502/503).
 */
final class WsTestClient {

  private final Channel channel;
  // Frames are copied out and released on arrival, so nothing leaks whatever a test does not read.
  private final BlockingQueue<Object> received;

  private WsTestClient(Channel channel, BlockingQueue<Object> received) {
    this.channel = channel;
    this.received = received;
  }

  static CompletableFuture<WsTestClient> connect(EventLoopGroup group, Transport transport, int port) {
    CompletableFuture<WsTestClient> result = new CompletableFuture<>();
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(URI.create("ws://127.0.0.1:" + port + "/ws"))
            .maxFramePayloadLength(EchoBackend.MAX_FRAME)
            .handshakeTimeoutMillis(10_000)
            .build();
    new Bootstrap()
        .group(group)
        .channel(transport.socketChannel())
        .handler(
            new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(new HttpClientCodec())
                    .addLast(new HttpObjectAggregator(65536))
                    .addLast(new WebSocketClientProtocolHandler(config))
                    .addLast(new Collector(result, received));
              }
            })
        .connect("127.0.0.1", port)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
              }
            });
    return result;
  }

  void sendText(String text) {
    channel.writeAndFlush(new TextWebSocketFrame(text));
  }

  void sendBinary(byte[] bytes) {
    channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
  }

  /** The next message (String or byte[]), waiting at most 10 s; fails the test on timeout. */
  Object next() throws InterruptedException {
    Object msg = received.poll(10, TimeUnit.SECONDS);
    if (msg == null) {
      throw new AssertionError("no message within 10 s on " + channel);
    }
    return msg;
  }

  String whoami() throws InterruptedException {
    sendText("whoami");
    return (String) next();
  }

  boolean isOpen() {
    return channel.isActive();
  }

  void close() {
    channel.close().syncUninterruptibly();
  }

  private static final class Collector extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<WsTestClient> result;
    private final BlockingQueue<Object> received;

    Collector(CompletableFuture<WsTestClient> result, BlockingQueue<Object> received) {
      this.result = result;
      this.received = received;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        result.complete(new WsTestClient(ctx.channel(), received));
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof TextWebSocketFrame text) {
          received.add(text.text());
        } else if (msg instanceof BinaryWebSocketFrame binary) {
          received.add(ByteBufUtil.getBytes(binary.content()));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.completeExceptionally(cause);
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.completeExceptionally(new IOException("closed before the upgrade completed"));
    }
  }
}
