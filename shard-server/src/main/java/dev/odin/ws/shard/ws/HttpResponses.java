package dev.odin.ws.shard.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Small plain HTTP answers, shared by the upgrade gate and the management server. */
public final class HttpResponses {
  private HttpResponses() {}

  public static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    return response;
  }

  /** Sends the response; closes the connection afterwards when {@code close} or the client asked. */
  public static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean close) {
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
    }
  }

  public static void sendText(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean close) {
    send(ctx, response(status, "text/plain; charset=utf-8", body + "\n"), close);
  }
}
