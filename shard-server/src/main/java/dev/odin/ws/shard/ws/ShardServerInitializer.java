package dev.odin.ws.shard.ws;

import dev.odin.ws.shard.ShardState;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.kafka.ReplayService;
import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The client pipeline: HTTP codec → request aggregator → upgrade gate → WebSocket protocol handler
 * (handshake, ping/pong, close, frame limits) → fragment aggregator → idle detection → session.
 */
public final class ShardServerInitializer extends ChannelInitializer<SocketChannel> {
  /** An upgrade request is headers only; anything bigger is not a browser's handshake. */
  private static final int MAX_REQUEST_BYTES = 16 * 1024;

  private final ShardState state;
  private final FanOut fanOut;
  private final ReplayService replay;
  private final ShardMetrics metrics;
  private final WebSocketServerProtocolConfig protocolConfig;

  public ShardServerInitializer(ShardState state, FanOut fanOut, ReplayService replay, ShardMetrics metrics) {
    this.state = state;
    this.fanOut = fanOut;
    this.replay = replay;
    this.metrics = metrics;
    int maxFrame = state.config().maxFrameBytes();
    this.protocolConfig = WebSocketServerProtocolConfig.newBuilder()
        .websocketPath(UpgradeGate.PATH)
        .checkStartsWith(false)
        .handshakeTimeoutMillis(state.config().handshakeTimeout().toMillis())
        .dropPongFrames(false)
        .forceCloseTimeoutMillis(ClientSession.CLOSE_GRACE_MILLIS)
        .decoderConfig(WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(maxFrame)
            .allowExtensions(false)
            .closeOnProtocolViolation(true)
            .build())
        .build();
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("http", new HttpServerCodec(4096, MAX_REQUEST_BYTES, 8192));
    p.addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
    p.addLast("gate", new UpgradeGate(state, metrics));
    p.addLast("websocket", new WebSocketServerProtocolHandler(protocolConfig));
    p.addLast("fragments", new WebSocketFrameAggregator(state.config().maxFrameBytes()));
    p.addLast("idle", new IdleStateHandler(state.config().pingInterval().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    p.addLast("session", new ClientSession(state, fanOut, replay, metrics));
  }
}
