package dev.odin.ws.shard.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.shard.ShardState;
import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.fanout.Subscriber;
import dev.odin.ws.shard.kafka.Position;
import dev.odin.ws.shard.kafka.ReplayService;
import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after the upgrade: its subscriptions, its inbound rate limit, its
 * keep-alive and its close. All of its state is touched only on the channel's event loop.
 */
public final class ClientSession extends SimpleChannelInboundHandler<WebSocketFrame> implements Subscriber {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
  /** How long a close frame may wait behind a full outbound buffer before the socket is cut. */
  static final long CLOSE_GRACE_MILLIS = 5_000;

  private final ShardState state;
  private final FanOut fanOut;
  private final ReplayService replay;
  private final ShardMetrics metrics;
  private final ShardServerConfig config;
  private final ClientRequestHandler requests;
  private final Set<String> channels = new HashSet<>();
  /** Seams of resuming subscriptions, by channel; null while there are none (the common case). */
  private Map<String, Recovery> recoveries;
  private ChannelHandlerContext ctx;
  private boolean established;
  private boolean pendingFlush;
  private CloseReason closeReason;
  private ScheduledFuture<?> forcedClose;
  private long lastReadNanos = System.nanoTime();
  private double tokens;
  private long lastRefillNanos = System.nanoTime();
  private int overLimit;

  public ClientSession(ShardState state, FanOut fanOut, ReplayService replay, ShardMetrics metrics) {
    this.state = state;
    this.fanOut = fanOut;
    this.replay = replay;
    this.metrics = metrics;
    this.config = state.config();
    this.requests = new ClientRequestHandler(this);
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
      state.addClient(ctx.channel());
      metrics.connectionOpened();
    } else if (evt instanceof IdleStateEvent) {
      onIdle();
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    lastReadNanos = System.nanoTime();
    if (closeReason != null) {
      return;
    }
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      if (!takeToken()) {
        return;
      }
      if (frame instanceof TextWebSocketFrame text) {
        requests.handle(text.text());
      } else {
        send(Replies.error(ErrorCode.BINARY_NOT_SUPPORTED, "the protocol uses JSON text frames", null));
      }
    }
    // Pong frames only refresh lastReadNanos; pings and closes are answered by the protocol handler.
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

  private void onIdle() {
    if (!established || closeReason != null) {
      return;
    }
    long idleNanos = System.nanoTime() - lastReadNanos;
    if (idleNanos >= config.idleTimeout().toNanos()) {
      close(CloseReason.IDLE, "idle timeout");
    } else {
      ctx.writeAndFlush(new PingWebSocketFrame());
    }
  }

  // ---- requests (called by ClientRequestHandler, on the event loop) ----

  void send(TextWebSocketFrame reply) {
    ctx.write(reply, ctx.voidPromise());
  }

  boolean isSubscribed(String channel) {
    return channels.contains(channel);
  }

  int subscriptionCount() {
    return channels.size();
  }

  int maxSubscriptions() {
    return config.maxSubscriptionsPerConnection();
  }

  /**
   * Subscribes; channels with a position in {@code since} first get what they missed from Kafka, and
   * the reply waits until every such replay has answered.
   */
  void subscribe(List<String> requested, Map<String, Position> since, JsonNode id) {
    Recovery.PendingReply reply = new Recovery.PendingReply(requested, id);
    for (String channel : requested) {
      if (!channels.add(channel)) {
        continue;
      }
      fanOut.subscribe(ctx.executor(), channel, this);
      Position position = since.get(channel);
      if (position != null) {
        Recovery recovery = new Recovery(reply);
        if (recoveries == null) {
          recoveries = new HashMap<>();
        }
        recoveries.put(channel, recovery);
        reply.outstanding++;
        replay.submit(new ReplayService.Request(channel, position,
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
          r.finish(ctx, done.frames(), done.partition(), done.endOffset());
        } else {
          r.finish(ctx, null, null, -1);
        }
        if (r.done()) {
          recoveries.remove(c);
        }
      }
    }
    ctx.flush();
  }

  void unsubscribe(List<String> requested, JsonNode id) {
    for (String channel : requested) {
      if (channels.remove(channel)) {
        fanOut.unsubscribe(ctx.executor(), channel, this);
        forgetRecovery(channel);
      }
    }
    send(Replies.unsubscribed(requested, id));
  }

  ShardMetrics metrics() {
    return metrics;
  }

  // ---- fan-out (Subscriber) ----

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public void writeFrames(ChannelFrames frames) {
    Recovery recovery = recoveries == null ? null : recoveries.get(frames.channel());
    if (recovery == null) {
      // Data frames are already WebSocket bytes: written from the first context they go straight to the
      // socket, past handlers that would only pass them along. Ownership: the write takes this duplicate.
      ChannelHandlerContext first = ctx.pipeline().firstContext();
      first.write(frames.frames().retainedDuplicate(), first.voidPromise());
      return;
    }
    if (!recovery.live(ctx, frames, config.writeBufferHighBytes())) {
      fellBehind();
    } else if (recovery.done()) {
      recoveries.remove(frames.channel());
    }
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
      metrics.slowClientDisconnected();
      close(CloseReason.SLOW_CLIENT, "slow consumer: resume with since");
    }
  }

  // ---- closing ----

  /** Closes from any thread (drain, shed, shutdown): hops to the event loop. */
  public void closeFromAnyThread(CloseReason reason, String text) {
    ctx.executor().execute(() -> close(reason, text));
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
    ctx.writeAndFlush(new CloseWebSocketFrame(reason.code(), text)).addListener(ChannelFutureListener.CLOSE);
    forcedClose = ctx.executor().schedule(() -> { ctx.close(); }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void unsubscribeAll() {
    for (String channel : channels) {
      fanOut.unsubscribe(ctx.executor(), channel, this);
    }
    channels.clear();
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
    if (forcedClose != null) {
      forcedClose.cancel(false);
    }
    if (established) {
      metrics.connectionClosed((closeReason == null ? CloseReason.CLIENT : closeReason).label());
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
    } else if (cause instanceof TooLongFrameException) {
      close(CloseReason.FRAME_TOO_BIG, "message larger than " + config.maxFrameBytes() + " bytes");
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
