package dev.odin.ws.shard.ws;

import dev.odin.ws.shard.auth.AuthGate;
import dev.odin.ws.shard.auth.ConnectionAuth;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * The client pipeline: HTTP codec → request aggregator → upgrade gate → auth gate (Origin, a token in the
 * headers; only when the cluster asks for either) → WebSocket protocol handler (handshake, its timeout, frame
 * limits) → session. After the handshake only Netty's frame decoder and
 * encoder and the session remain (see {@link ClientSession}).
 */
public final class ShardServerInitializer extends ChannelInitializer<SocketChannel> {
  /** An upgrade request is headers only; anything bigger is not a browser's handshake. */
  private static final int MAX_REQUEST_BYTES = 16 * 1024;

  private final SessionServices services;
  private final WebSocketServerProtocolConfig protocolConfig;

  public ShardServerInitializer(SessionServices services) {
    this.services = services;
    int maxFrame = services.config().maxFrameBytes();
    this.protocolConfig = WebSocketServerProtocolConfig.newBuilder()
        .websocketPath(UpgradeGate.PATH)
        .subprotocols(AuthGate.SUBPROTOCOL)
        .checkStartsWith(false)
        .handshakeTimeoutMillis(services.config().handshakeTimeout().toMillis())
        .dropPongFrames(false)
        .forceCloseTimeoutMillis(ClientSession.CLOSE_GRACE_MILLIS)
        .decoderConfig(WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(maxFrame)
            .allowExtensions(false)
            .withUTF8Validator(false) // the session checks the text messages it reads
            .closeOnProtocolViolation(true)
            .build())
        .build();
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("http", new HttpServerCodec(4096, MAX_REQUEST_BYTES, 8192));
    p.addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
    p.addLast("gate", new UpgradeGate(services.state(), services.metrics()));
    ConnectionAuth auth = services.auth().newConnection();
    if (services.auth().gatesUpgrade()) {
      p.addLast("auth", new AuthGate(services.auth(), auth, services.metrics()));
    }
    p.addLast("websocket", new WebSocketServerProtocolHandler(protocolConfig));
    p.addLast("session", new ClientSession(services, auth));
  }
}
