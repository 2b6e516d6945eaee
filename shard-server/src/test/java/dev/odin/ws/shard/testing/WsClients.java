package dev.odin.ws.shard.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Opens real WebSocket client connections on loopback, many at a time. */
public final class WsClients implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<WsClient> opened = new ArrayList<>();

  public CompletableFuture<WsClient> connectAsync(URI uri) {
    return connectAsync(uri, 0);
  }

  /** {@code receiveBuffer} > 0 shrinks the socket's receive buffer, so a paused reader backs up fast. */
  public CompletableFuture<WsClient> connectAsync(URI uri, int receiveBuffer) {
    return connectAsync(uri, receiveBuffer, null, null);
  }

  /**
   * With extra upgrade headers (Authorization, Origin) and a subprotocol offer (comma-separated), or null. Sends no
   * Origin of its own (Netty's client otherwise sends its target's), as a non-browser client.
   */
  public CompletableFuture<WsClient> connectAsync(URI uri, HttpHeaders headers, String subprotocols) {
    return connectAsync(uri, 0, headers, subprotocols);
  }

  private CompletableFuture<WsClient> connectAsync(URI uri, int receiveBuffer, HttpHeaders headers,
      String subprotocols) {
    WsClient client = new WsClient();
    WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
        .webSocketUri(uri)
        .subprotocol(subprotocols)
        .generateOriginHeader(headers == null)
        .customHeaders(headers == null ? new DefaultHttpHeaders() : headers)
        .handleCloseFrames(false)
        .maxFramePayloadLength(16 * 1024 * 1024)
        .handshakeTimeoutMillis(20_000)
        .build();
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 20_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                new WebSocketClientProtocolHandler(config), client);
          }
        });
    if (receiveBuffer > 0) {
      bootstrap.option(ChannelOption.SO_RCVBUF, receiveBuffer);
    }
    bootstrap.connect(uri.getHost(), uri.getPort()).addListener(f -> {
      if (!f.isSuccess()) {
        client.handshake.completeExceptionally(f.cause());
      }
    });
    synchronized (opened) {
      opened.add(client);
    }
    return client.handshake;
  }

  /**
   * Connects, trying again after a refused or failed handshake as a real client does in a reconnect
   * storm, at most {@code attempts} times.
   */
  public CompletableFuture<WsClient> connectWithRetries(URI uri, int attempts) {
    return connectAsync(uri).handle((client, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(client);
      }
      if (attempts <= 1) {
        return CompletableFuture.<WsClient>failedFuture(failure);
      }
      return connectWithRetries(uri, attempts - 1);
    }).thenCompose(f -> f);
  }

  public WsClient connect(URI uri) {
    return connectAsync(uri).orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** Connects {@code count} clients, at most {@code parallel} handshakes at once. */
  public List<WsClient> connectMany(URI uri, int count, int parallel) {
    List<WsClient> clients = new ArrayList<>(count);
    List<CompletableFuture<WsClient>> wave = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      wave.add(connectAsync(uri));
      if (wave.size() == parallel || i == count - 1) {
        for (CompletableFuture<WsClient> f : wave) {
          clients.add(f.orTimeout(30, TimeUnit.SECONDS).join());
        }
        wave.clear();
      }
    }
    return clients;
  }

  public static URI uri(int port) {
    return URI.create("ws://127.0.0.1:" + port + "/ws");
  }

  @Override
  public void close() {
    synchronized (opened) {
      for (WsClient client : opened) {
        if (client.channel() != null) {
          client.channel().close();
        }
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(Duration.ofSeconds(10).toMillis());
  }
}
