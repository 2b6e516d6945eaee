package dev.odin.ws.shard.ws;

import dev.odin.ws.shard.ShardState;
import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Decides, before the WebSocket handshake, whether this request may become a client: the right
 * path, a real upgrade, a shard that is not draining and has room. Also bounds how long a
 * connection may sit without sending its request. Removes itself once it lets a request through.
 */
public final class UpgradeGate extends ChannelInboundHandlerAdapter {
  public static final String PATH = "/ws";

  private final ShardState state;
  private final ShardMetrics metrics;
  private ScheduledFuture<?> deadline;

  public UpgradeGate(ShardState state, ShardMetrics metrics) {
    this.state = state;
    this.metrics = metrics;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    long timeoutMillis = state.config().handshakeTimeout().toMillis();
    deadline = ctx.executor().schedule(() -> {
      metrics.connectionRejected("handshake_timeout");
      ctx.close();
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelDeadline();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    // Ownership: a rejected request is released here; an admitted one passes to the handshaker.
    String path = new QueryStringDecoder(request.uri()).path();
    if (!PATH.equals(path)) {
      request.release();
      reject(ctx, "not_found", HttpResponseStatus.NOT_FOUND, "not found: the WebSocket endpoint is " + PATH, false);
    } else if (!isUpgrade(request)) {
      request.release();
      reject(ctx, "not_websocket", HttpResponseStatus.BAD_REQUEST,
          "expected a WebSocket upgrade (GET with Upgrade: websocket)", false);
    } else if (state.draining()) {
      request.release();
      reject(ctx, "draining", HttpResponseStatus.SERVICE_UNAVAILABLE, "shard is draining; connect again", true);
    } else if (!state.tryAdmit()) {
      request.release();
      reject(ctx, "full", HttpResponseStatus.SERVICE_UNAVAILABLE, "shard is full; connect again", true);
    } else {
      ctx.channel().closeFuture().addListener(state.releaseAdmissionOnClose());
      cancelDeadline();
      ctx.pipeline().remove(this);
      // The protocol handler's own handshake timeout covers the rest of the upgrade.
      ctx.fireChannelRead(request);
    }
  }

  private static boolean isUpgrade(FullHttpRequest request) {
    return HttpMethod.GET.equals(request.method())
        && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  private void reject(ChannelHandlerContext ctx, String reason, HttpResponseStatus status, String body, boolean retryLater) {
    metrics.connectionRejected(reason);
    FullHttpResponse response = HttpResponses.response(status, "text/plain; charset=utf-8", body + "\n");
    if (retryLater) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    }
    HttpResponses.send(ctx, response, true);
  }
}
