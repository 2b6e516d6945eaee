package dev.odin.ws.shard.ws;

import dev.odin.ws.shard.auth.ConnectionAuth;
import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.fanout.Subscriber;
import dev.odin.ws.shard.json.JsonValue;
import dev.odin.ws.shard.kafka.Position;
import dev.odin.ws.shard.kafka.ReplayService;
import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after the upgrade: its subscriptions, its inbound rate limit, its
 * keep-alive and its close. All of its state is touched only on the channel's event loop.
 *
 * <p>Once the handshake is done the session is the only handler after Netty's frame decoder and
 * encoder: it answers pings and closes, joins fragments and checks UTF-8 itself, and its loop's
 * sweep does the keep-alive, because every handler and timer kept per connection costs memory on
 * every idle connection.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements Subscriber, ClientFrames.Sink {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
  /** How long a close frame may wait behind a full outbound buffer before the socket is cut. */
  static final long CLOSE_GRACE_MILLIS = 5_000;

  /** The attribute where Netty's protocol handler keeps the handshaker; dropped with that handler. */
  private static final AttributeKey<WebSocketServerHandshaker> HANDSHAKER =
      AttributeKey.valueOf(WebSocketServerHandshaker.class, "HANDSHAKER");
  private static final String[] NO_CHANNELS = new String[0];
  private static final ChannelFutureListener CLOSE_FRAME_SENT = ClientSession::closeFrameSent;

  private final SessionServices services;
  private final ShardServerConfig config;
  /** Null when the cluster does not authenticate: then it costs a connection one empty reference. */
  private final ConnectionAuth auth;
  /** Subscribed channels: an array, since a connection has few and a set costs ~150 bytes more. */
  private String[] channels = NO_CHANNELS;
  private int channelCount;
  /** Slot in the loop's {@link LoopSessions}; -1 when not registered. */
  int slot = -1;
  /** A fragmented text message being joined; null otherwise (the common case). */
  private CompositeByteBuf fragments;
  /** The start of a frame whose rest has not arrived yet; null otherwise (the common case). */
  private ByteBuf partial;
  private boolean skippingBinaryFragments;
  private boolean discarding;
  /** Seams of resuming subscriptions, by channel; null while there are none (the common case). */
  private Map<String, Recovery> recoveries;
  private ChannelHandlerContext ctx;
  private boolean established;
  private boolean pendingFlush;
  private CloseReason closeReason;
  private ScheduledFuture<?> forcedClose;
  private long lastReadNanos = System.nanoTime();
  private long lastPingNanos;
  private double tokens;
  private long lastRefillNanos = System.nanoTime();
  private int overLimit;

  public ClientSession(SessionServices services) {
    this(services, null);
  }

  public ClientSession(SessionServices services, ConnectionAuth auth) {
    this.services = services;
    this.config = services.config();
    this.auth = auth;
    this.tokens = config.inboundBurst();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HandshakeComplete) {
      established = true;
      lastReadNanos = System.nanoTime();
      lastPingNanos = lastReadNanos - config.pingInterval().toNanos();
      // From here the session reads and writes the frames itself; a decoder removed with bytes
      // still buffered hands them on to the session as a ByteBuf. This event fires once the 101 is written,
      // and a client may not send a frame before it has the 101 (RFC 6455 §4.1), so no frame is half-read here.
      removeIfPresent(ctx, WebSocketServerProtocolHandler.class);
      removeIfPresent(ctx, WebSocketFrameEncoder.class);
      removeIfPresent(ctx, WebSocketFrameDecoder.class);
      ctx.channel().attr(HANDSHAKER).getAndRemove();
      services.state().clientEstablished();
      services.sessions().add(ctx.executor(), this);
      services.metrics().connectionOpened();
      if (auth != null) {
        ConnectionAuth.Outcome refused = auth.established(System.currentTimeMillis());
        if (refused != null && refused.kind() == ConnectionAuth.Outcome.Kind.CLOSE) {
          closeForAuth(refused);
        }
      }
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastReadNanos = System.nanoTime();
    if (msg instanceof ByteBuf bytes) {
      onBytes(bytes);
    } else if (msg instanceof WebSocketFrame frame) {
      // Frames Netty's decoder produced before the handshake completed and the session took over the bytes.
      try {
        frame(opcodeOf(frame), frame.isFinalFragment(), frame.content());
      } finally {
        frame.release();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /** Ownership: takes {@code in}; a partial frame at its end is kept (copied) until the rest arrives. */
  private void onBytes(ByteBuf in) {
    if (discarding) {
      in.release();
      return;
    }
    ByteBuf buf = in;
    if (partial != null) {
      partial.writeBytes(in);
      in.release();
      buf = partial;
    }
    ClientFrames.Step step = ClientFrames.Step.FRAME;
    while (buf.isReadable() && step == ClientFrames.Step.FRAME) {
      step = ClientFrames.next(buf, config.maxFrameBytes(), fragments != null || skippingBinaryFragments, this);
    }
    if (step == ClientFrames.Step.NEED_MORE && buf.isReadable() && ctx.channel().isActive()) {
      if (buf == in) {
        partial = ctx.alloc().buffer(buf.readableBytes()).writeBytes(buf);
        in.release();
      } else {
        partial.discardReadBytes();
      }
      return;
    }
    buf.release();
    partial = null;
  }

  private static int opcodeOf(WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame) {
      return ClientFrames.TEXT;
    } else if (frame instanceof BinaryWebSocketFrame) {
      return ClientFrames.BINARY;
    } else if (frame instanceof ContinuationWebSocketFrame) {
      return ClientFrames.CONTINUATION;
    } else if (frame instanceof CloseWebSocketFrame) {
      return ClientFrames.CLOSE;
    } else if (frame instanceof PingWebSocketFrame) {
      return ClientFrames.PING;
    }
    return ClientFrames.PONG;
  }

  @Override
  public void frame(int opcode, boolean fin, ByteBuf payload) {
    if (opcode == ClientFrames.CLOSE) {
      onCloseFrame(payload);
    } else if (closeReason != null) {
      return; // closing: only the client's close frame matters now
    } else if (opcode == ClientFrames.PING) {
      ctx.writeAndFlush(ClientFrames.encode(ctx.alloc(), ClientFrames.PONG, payload.retain()), ctx.voidPromise());
    } else if (opcode != ClientFrames.PONG) {
      onDataFrame(opcode, fin, payload);
    }
    // Pong frames only refresh lastReadNanos.
  }

  @Override
  public void violation(CloseReason reason, String text) {
    discarding = true; // the stream has lost its framing: nothing after this point can be read
    releaseFragments();
    if (closeReason == null) {
      close(reason, text);
    } else {
      ctx.close();
    }
  }

  /** Text messages may come in fragments (RFC 6455 §5.4); their order has been checked by the parser. */
  private void onDataFrame(int opcode, boolean fin, ByteBuf payload) {
    if (opcode == ClientFrames.BINARY || skippingBinaryFragments) {
      skippingBinaryFragments = !fin;
      if (fin && takeToken()) {
        send(Replies.error(ErrorCode.BINARY_NOT_SUPPORTED, "the protocol uses JSON text frames", null));
      }
      return;
    }
    if (opcode == ClientFrames.TEXT && fin) {
      onText(payload);
      return;
    }
    if (fragments == null) {
      fragments = ctx.alloc().compositeBuffer();
    }
    fragments.addComponent(true, payload.retain());
    if (fragments.readableBytes() > config.maxFrameBytes()) {
      releaseFragments();
      close(CloseReason.FRAME_TOO_BIG, "message larger than " + config.maxFrameBytes() + " bytes");
      return;
    }
    if (fin) {
      try {
        onText(fragments);
      } finally {
        releaseFragments();
      }
    }
  }

  private void onText(ByteBuf utf8) {
    if (!ByteBufUtil.isText(utf8, StandardCharsets.UTF_8)) {
      close(CloseReason.INVALID_TEXT, "text frame is not valid UTF-8");
      return;
    }
    if (takeToken()) {
      new ClientRequestHandler(this).handle(utf8.toString(StandardCharsets.UTF_8));
    }
  }

  /** The client's close: answered and the connection ended; or the answer to the shard's own close. */
  private void onCloseFrame(ByteBuf payload) {
    if (closeReason != null) {
      ctx.close(); // the client answered our close frame
      return;
    }
    closeReason = CloseReason.CLIENT;
    unsubscribeAll();
    ByteBuf code = payload.readableBytes() >= 2
        ? payload.retainedSlice(payload.readerIndex(), 2) : Unpooled.EMPTY_BUFFER;
    ctx.writeAndFlush(ClientFrames.encode(ctx.alloc(), ClientFrames.CLOSE, code))
        .addListener(ChannelFutureListener.CLOSE);
    scheduleForcedClose();
  }

  private void releaseFragments() {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
    skippingBinaryFragments = false;
  }

  private void releasePartial() {
    if (partial != null) {
      partial.release();
      partial = null;
    }
  }

  private static void removeIfPresent(ChannelHandlerContext ctx, Class<? extends ChannelHandler> type) {
    ChannelHandler handler = ctx.pipeline().get(type);
    if (handler != null) {
      ctx.pipeline().remove(handler);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ctx.fireChannelReadComplete();
  }

  private boolean takeToken() {
    long now = System.nanoTime();
    tokens = Math.min(config.inboundBurst(), tokens + (now - lastRefillNanos) * config.inboundMessagesPerSecond() / 1e9);
    lastRefillNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      overLimit = 0;
      return true;
    }
    if (++overLimit > config.inboundBurst()) {
      close(CloseReason.POLICY, "message rate exceeded");
    } else {
      send(Replies.error(ErrorCode.RATE_LIMITED,
          "more than " + config.inboundMessagesPerSecond() + " messages per second; message ignored", null));
    }
    return false;
  }

  /**
   * Called by the loop's sweep: ping a client quiet for its ping delay, close one quiet for longer than the idle
   * timeout. The delay is between half and all of the ping interval, fixed per session, so that connections
   * opened together are not all pinged in the same sweep (10,000 pings at once would hold up deliveries).
   */
  void checkIdle(long nowNanos) {
    if (!established || closeReason != null || (auth != null && !checkAuth())) {
      return;
    }
    long quiet = nowNanos - lastReadNanos;
    long interval = config.pingInterval().toNanos();
    if (quiet >= config.idleTimeout().toNanos()) {
      close(CloseReason.IDLE, "idle timeout");
    } else if (quiet >= interval - (interval / 2) * (System.identityHashCode(this) & 0xFFFF) / 0x10000
        && nowNanos - lastPingNanos >= interval) {
      lastPingNanos = nowNanos;
      ctx.writeAndFlush(ClientFrames.encode(ctx.alloc(), ClientFrames.PING, Unpooled.EMPTY_BUFFER), ctx.voidPromise());
    }
  }

  // ---- authentication (called by the sweep and ClientRequestHandler, on the event loop) ----

  /** False when the connection was closed for its token. */
  private boolean checkAuth() {
    switch (auth.tick(System.currentTimeMillis())) {
      case EXPIRING -> ctx.writeAndFlush(ClientFrames.encode(ctx.alloc(), ClientFrames.TEXT, Replies.error(
          ErrorCode.TOKEN_EXPIRED, "token expired: send {\"type\":\"refresh\",\"token\":\"...\"} within "
              + config.auth().refreshGrace().toSeconds() + " s or the connection closes with 4004", null).content()),
          ctx.voidPromise());
      case CLOSE_EXPIRED -> {
        close(CloseReason.TOKEN_EXPIRED, "token expired and not refreshed");
        return false;
      }
      case CLOSE_TIMEOUT -> {
        close(CloseReason.UNAUTHORIZED, "no auth message within the handshake timeout");
        return false;
      }
      default -> { }
    }
    return true;
  }

  private void closeForAuth(ConnectionAuth.Outcome outcome) {
    String text = outcome.text();
    close(outcome.failure() == dev.odin.ws.shard.auth.AuthFailure.EXPIRED ? CloseReason.TOKEN_EXPIRED
        : CloseReason.UNAUTHORIZED, text.length() > 120 ? text.substring(0, 120) : text);
  }

  /** Whether the connection must still send its first token, and may send nothing else. */
  boolean awaitingToken() {
    return auth != null && auth.awaitingToken();
  }

  void notAuthenticated() {
    closeForAuth(auth.notAuthenticated());
  }

  /** An {@code auth} or {@code refresh} message; false when the cluster does not authenticate. */
  boolean authenticate(JsonValue token, JsonValue id) {
    if (auth == null) {
      return false;
    }
    ConnectionAuth.Outcome outcome = auth.onToken(token != null && token.isTextual() ? token.textValue() : null);
    switch (outcome.kind()) {
      case AUTHENTICATED, REFRESHED -> {
        send(Replies.authenticated(outcome.identity().user(), outcome.identity().expiresAtMillis(), id));
        if (outcome.kind() == ConnectionAuth.Outcome.Kind.REFRESHED) {
          revoke(auth.revoked(Arrays.asList(Arrays.copyOf(channels, channelCount))));
        }
      }
      case CLOSE -> closeForAuth(outcome);
      case ERROR -> send(Replies.error(outcome.failure() == dev.odin.ws.shard.auth.AuthFailure.EXPIRED
          ? ErrorCode.TOKEN_EXPIRED : ErrorCode.UNAUTHORIZED, "refresh refused: " + outcome.text(), id));
    }
    return true;
  }

  /** Null when every channel may be subscribed, else the refusal (already counted). */
  ConnectionAuth.Refused refusal(List<String> requested) {
    return auth == null ? null : auth.check(requested);
  }

  /** Ends subscriptions a refreshed token no longer allows, and tells the client which. */
  private void revoke(List<String> gone) {
    if (gone.isEmpty()) {
      return;
    }
    for (String channel : gone) {
      if (removeChannel(channel)) {
        services.fanOut().unsubscribe(ctx.executor(), channel, this);
        forgetRecovery(channel);
      }
    }
    send(Replies.revoked(gone));
  }

  // ---- requests (called by ClientRequestHandler, on the event loop) ----

  void send(TextWebSocketFrame reply) {
    ctx.write(ClientFrames.encode(ctx.alloc(), ClientFrames.TEXT, reply.content()), ctx.voidPromise());
  }

  boolean isSubscribed(String channel) {
    return indexOf(channel) >= 0;
  }

  int subscriptionCount() {
    return channelCount;
  }

  private int indexOf(String channel) {
    for (int i = 0; i < channelCount; i++) {
      if (channels[i].equals(channel)) {
        return i;
      }
    }
    return -1;
  }

  /** Keeps the fan-out's own instance of the name, so that 10,000 subscribers hold one copy of it. */
  private void addChannel(String canonical) {
    if (channelCount == channels.length) {
      channels = Arrays.copyOf(channels, Math.max(1, channelCount * 2));
    }
    channels[channelCount++] = canonical;
  }

  private boolean removeChannel(String channel) {
    int i = indexOf(channel);
    if (i < 0) {
      return false;
    }
    channels[i] = channels[--channelCount];
    channels[channelCount] = null;
    return true;
  }

  int maxSubscriptions() {
    return config.maxSubscriptionsPerConnection();
  }

  int shardIndex() {
    return config.shardIndex();
  }

  /**
   * Subscribes; channels with a position in {@code since} first get what they missed from Kafka, and
   * the reply waits until every such replay has answered.
   */
  void subscribe(List<String> requested, Map<String, Position> since, JsonValue id) {
    Recovery.PendingReply reply = new Recovery.PendingReply(requested, id);
    for (String channel : requested) {
      if (isSubscribed(channel)) {
        continue;
      }
      addChannel(services.fanOut().subscribe(ctx.executor(), channel, this));
      Position position = since.get(channel);
      if (position != null) {
        Recovery recovery = new Recovery(reply);
        if (recoveries == null) {
          recoveries = new HashMap<>();
        }
        recoveries.put(channel, recovery);
        reply.outstanding++;
        services.replay().submit(new ReplayService.Request(channel, position,
            result -> ctx.executor().execute(() -> replayed(channel, recovery, result))));
      }
    }
    if (reply.outstanding == 0) {
      send(Replies.subscribed(requested, reply.recovered, id));
    }
  }

  private void replayed(String channel, Recovery recovery, ReplayService.Result result) {
    if (closeReason != null || recoveries == null || recoveries.get(channel) != recovery) {
      // Ownership: the subscription is gone; the replayed frames end here.
      if (result.frames() != null) {
        result.frames().frames().release();
      }
      return;
    }
    Recovery.PendingReply reply = recovery.reply;
    reply.recovered.put(channel, result.recovered());
    if (result.recovered()) {
      recovery.replayed = result;
    }
    if (--reply.outstanding > 0) {
      return;
    }
    send(Replies.subscribed(reply.channels, reply.recovered, reply.id));
    for (String c : reply.channels) {
      Recovery r = recoveries.get(c);
      if (r != null && r.reply == reply) {
        ReplayService.Result done = r.replayed;
        r.replayed = null;
        if (done != null) {
          r.finish(ctx, done.frames(), done.ends());
        } else {
          r.finish(ctx, null, null);
        }
        if (r.done()) {
          recoveries.remove(c);
        }
      }
    }
    ctx.flush();
  }

  void unsubscribe(List<String> requested, JsonValue id) {
    for (String channel : requested) {
      if (removeChannel(channel)) {
        services.fanOut().unsubscribe(ctx.executor(), channel, this);
        forgetRecovery(channel);
      }
    }
    send(Replies.unsubscribed(requested, id));
  }

  ShardMetrics metrics() {
    return services.metrics();
  }

  // ---- fan-out (Subscriber) ----

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public boolean writeFrames(ChannelFrames frames) {
    Recovery recovery = recoveries == null ? null : recoveries.get(frames.channel());
    if (recovery == null) {
      ByteBuf bytes = frames.frames();
      int written = SocketWrites.tryWrite(ctx.channel(), bytes);
      if (written == bytes.readableBytes()) {
        return false;
      }
      // Data frames are already WebSocket bytes: written from the first context they go straight to the
      // socket, past handlers that would only pass them along. Ownership: the write takes this duplicate or slice.
      ChannelHandlerContext first = ctx.pipeline().firstContext();
      ByteBuf rest = written <= 0 ? bytes.retainedDuplicate()
          : bytes.retainedSlice(bytes.readerIndex() + written, bytes.readableBytes() - written);
      first.write(rest, first.voidPromise());
      return true;
    }
    if (!recovery.live(ctx, frames, config.writeBufferHighBytes())) {
      fellBehind();
    } else if (recovery.done()) {
      recoveries.remove(frames.channel());
    }
    return true;
  }

  @Override
  public boolean markForFlush() {
    if (pendingFlush) {
      return false;
    }
    pendingFlush = true;
    return true;
  }

  @Override
  public void flush() {
    pendingFlush = false;
    ctx.flush();
  }

  @Override
  public void fellBehind() {
    if (closeReason == null) {
      services.metrics().slowClientDisconnected();
      close(CloseReason.SLOW_CLIENT, "slow consumer: resume with since");
    }
  }

  // ---- closing ----

  /** Closes from any thread (drain, shed, shutdown): hops to the event loop. */
  public void closeFromAnyThread(CloseReason reason, String text) {
    ctx.executor().execute(() -> {
      if (ctx.channel().isActive()) {
        close(reason, text);
      }
    });
  }

  /**
   * Sends the close frame after whatever is already queued, stops all deliveries at once, and cuts
   * the socket if the frame cannot be written within the grace period.
   */
  void close(CloseReason reason, String text) {
    if (closeReason != null) {
      return;
    }
    closeReason = reason;
    unsubscribeAll();
    ByteBuf close = new CloseWebSocketFrame(reason.code(), text).content();
    ctx.writeAndFlush(ClientFrames.encode(ctx.alloc(), ClientFrames.CLOSE, close)).addListener(CLOSE_FRAME_SENT);
    scheduleForcedClose();
  }

  /**
   * After the shard's close frame: stop writing but keep reading (and dropping) until the client closes its side,
   * answers with its own close frame, or the grace period ends. Closing the socket at once while the client is
   * still sending (a message over the size limit, say) makes the kernel answer with a reset, and the client then
   * never sees the close code, only 1006.
   */
  private static void closeFrameSent(ChannelFuture written) {
    Channel channel = written.channel();
    if (written.isSuccess() && channel instanceof DuplexChannel duplex && channel.isActive()) {
      duplex.shutdownOutput();
    } else {
      channel.close();
    }
  }

  private void scheduleForcedClose() {
    forcedClose = ctx.executor().schedule(() -> { ctx.close(); }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void unsubscribeAll() {
    for (int i = 0; i < channelCount; i++) {
      services.fanOut().unsubscribe(ctx.executor(), channels[i], this);
    }
    channels = NO_CHANNELS;
    channelCount = 0;
    if (recoveries != null) {
      recoveries.values().forEach(Recovery::discard);
      recoveries = null;
    }
  }

  private void forgetRecovery(String channel) {
    Recovery recovery = recoveries == null ? null : recoveries.remove(channel);
    if (recovery != null) {
      recovery.discard();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    unsubscribeAll();
    releaseFragments();
    releasePartial();
    if (forcedClose != null) {
      forcedClose.cancel(false);
    }
    if (established) {
      services.sessions().remove(ctx.executor(), this);
      services.state().clientGone();
      services.metrics().connectionClosed((closeReason == null ? CloseReason.CLIENT : closeReason).label());
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupted) {
      // The decoder has already sent its close frame (1009 for a too-big frame, 1002 otherwise).
      if (closeReason == null) {
        closeReason = corrupted.closeStatus() != null
                && corrupted.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
            ? CloseReason.FRAME_TOO_BIG
            : CloseReason.PROTOCOL_ERROR;
      }
      unsubscribeAll();
      ctx.close();
    } else {
      log.debug("closing {} after {}", ctx.channel().remoteAddress(), cause.toString());
      if (closeReason == null) {
        closeReason = CloseReason.ERROR;
      }
      unsubscribeAll();
      ctx.close();
    }
  }
}
