package dev.odin.ws.shard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** A real WebSocket client over loopback that records everything the server sends it. */
public final class WsClient extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Appended on the event loop, read by the test thread: a plain list under its own lock (O(1) appends). */
  private final List<JsonNode> messages = new ArrayList<>();
  final CompletableFuture<WsClient> handshake = new CompletableFuture<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private volatile Channel channel;
  private volatile String closeReason;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      handshake.complete(this);
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws Exception {
    if (frame instanceof TextWebSocketFrame text) {
      JsonNode message = JSON.readTree(text.text());
      synchronized (messages) {
        messages.add(message);
      }
    } else if (frame instanceof CloseWebSocketFrame close) {
      closeReason = close.reasonText();
      closeCode.complete(close.statusCode());
      ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), "")).addListener(f -> ctx.close());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeCode.complete(-1);
    handshake.completeExceptionally(new IllegalStateException("closed before the handshake completed"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    handshake.completeExceptionally(cause);
    ctx.close();
  }

  /** The HTTP status of a refused upgrade, from the handshake failure. */
  public static int refusedStatus(Throwable failure) {
    Throwable t = failure;
    while (t != null && !(t instanceof WebSocketClientHandshakeException)) {
      t = t.getCause();
    }
    if (t == null) {
      throw new AssertionError("not a refused handshake", failure);
    }
    return ((WebSocketClientHandshakeException) t).response().status().code();
  }

  public void send(String json) {
    channel.writeAndFlush(new TextWebSocketFrame(json)).syncUninterruptibly();
  }

  public void sendFrame(WebSocketFrame frame) {
    channel.writeAndFlush(frame).syncUninterruptibly();
  }

  /** The subprotocol the server selected in its 101, or null. */
  public String subprotocol() {
    return channel.pipeline().get(io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.class)
        .handshaker().actualSubprotocol();
  }

  public Channel channel() {
    return channel;
  }

  /** A snapshot of everything received so far, in arrival order. */
  public List<JsonNode> messages() {
    synchronized (messages) {
      return new ArrayList<>(messages);
    }
  }

  /** Messages of one type, in arrival order. */
  public List<JsonNode> messages(String type) {
    List<JsonNode> result = new ArrayList<>();
    synchronized (messages) {
      for (JsonNode m : messages) {
        if (type.equals(m.path("type").asText())) {
          result.add(m);
        }
      }
    }
    return result;
  }

  /** Sends without waiting; safe from any thread, including the client's event loop. */
  public void sendAsync(String json) {
    channel.writeAndFlush(new TextWebSocketFrame(json));
  }

  public JsonNode awaitMessage(Predicate<JsonNode> matching, Duration timeout) {
    return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
        .until(() -> messages().stream().filter(matching).findFirst().orElse(null), m -> m != null);
  }

  public JsonNode awaitReply(String type, Duration timeout) {
    return awaitMessage(m -> type.equals(m.path("type").asText()), timeout);
  }

  /** Sends a subscribe request and waits for its {@code subscribed} reply. */
  public void subscribe(String... channels) {
    int before = messages("subscribed").size();
    sendSubscribe(channels);
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
        .until(() -> messages("subscribed").size() > before);
  }

  /** Sends a subscribe request without waiting for the reply. */
  public void sendSubscribe(String... channels) {
    StringBuilder json = new StringBuilder("{\"type\":\"subscribe\",\"channels\":[");
    for (int i = 0; i < channels.length; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(channels[i]).append('"');
    }
    channel.writeAndFlush(new TextWebSocketFrame(json.append("]}").toString()));
  }

  /** The reason text of the server's close frame, once it came. */
  public String closeReason() {
    return closeReason;
  }

  public CompletableFuture<Integer> closeCode() {
    return closeCode;
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  public void close() {
    channel.close().syncUninterruptibly();
  }
}
