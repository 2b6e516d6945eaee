package dev.odin.ws.balancer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * The management port: {@code /metrics} (Prometheus text), {@code /healthz} (the process runs) and
 * {@code /backends} (JSON status of every backend, what a status display needs). Stateless, so shared.
 */
@ChannelHandler.Sharable
final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final PrometheusMeterRegistry registry;
  private final Supplier<List<BackendStatus>> status;

  ManagementHandler(PrometheusMeterRegistry registry, Supplier<List<BackendStatus>> status) {
    this.registry = registry;
    this.status = status;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    FullHttpResponse response;
    if (!request.method().equals(HttpMethod.GET)) {
      response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n", "text/plain; charset=utf-8");
    } else {
      response =
          switch (path) {
            case "/metrics" -> text(
                HttpResponseStatus.OK, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8");
            case "/healthz" -> text(HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8");
            case "/backends" -> text(HttpResponseStatus.OK, backendsJson(), "application/json");
            default -> text(HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain; charset=utf-8");
          };
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private String backendsJson() {
    StringJoiner json = new StringJoiner(",", "[", "]\n");
    for (BackendStatus s : status.get()) {
      Backend b = s.backend();
      json.add(
          String.format(
              "{\"shard\":%d,\"host\":\"%s\",\"wsPort\":%d,\"managementPort\":%d,"
                  + "\"connections\":%d,\"healthy\":%b,\"removed\":%b}",
              b.index(), jsonEscape(b.host()), b.wsPort(), b.managementPort(),
              s.activeConnections(), s.healthy(), s.removed()));
    }
    return json.toString();
  }

  private static String jsonEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
            status,
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    HttpUtil.setContentLength(r, r.content().readableBytes());
    return r;
  }
}
