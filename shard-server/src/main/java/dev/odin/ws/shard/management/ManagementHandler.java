package dev.odin.ws.shard.management;

import dev.odin.ws.shard.ShardState;
import dev.odin.ws.shard.ShardState.Readiness;
import dev.odin.ws.shard.auth.ManagementToken;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.json.JsonValue;
import dev.odin.ws.shard.metrics.LoadSampler;
import dev.odin.ws.shard.metrics.ShardMetrics;
import dev.odin.ws.shard.ws.CloseReason;
import dev.odin.ws.shard.ws.HttpResponses;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The management port: metrics, probes, stats (read-only, open), and the drain and shed commands (which need the
 * management token when one is configured).
 */
@Sharable
public final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final String JSON_TYPE = "application/json";

  private final ShardState state;
  private final FanOut fanOut;
  private final ShardMetrics metrics;
  private final Consumer<CloseReason> drain;
  private final IntConsumer shed;
  private final LoadSampler load;
  private final ManagementToken token;

  public ManagementHandler(ShardState state, FanOut fanOut, ShardMetrics metrics, Consumer<CloseReason> drain,
      IntConsumer shed, LoadSampler load, ManagementToken token) {
    this.load = load;
    this.token = token;
    this.state = state;
    this.fanOut = fanOut;
    this.metrics = metrics;
    this.drain = drain;
    this.shed = shed;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    boolean close = !HttpUtil.isKeepAlive(request);
    boolean get = HttpMethod.GET.equals(request.method());
    boolean post = HttpMethod.POST.equals(request.method());
    switch (uri.path()) {
      case "/metrics" -> {
        if (get) {
          HttpResponses.send(ctx, HttpResponses.response(HttpResponseStatus.OK,
              "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()), close);
        } else {
          notAllowed(ctx, "GET", close);
        }
      }
      case "/healthz" -> HttpResponses.sendText(ctx, HttpResponseStatus.OK, "ok", close);
      case "/readyz" -> {
        Readiness readiness = state.readiness();
        HttpResponses.sendText(ctx,
            readiness.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, readiness.reason(), close);
      }
      case "/stats" -> HttpResponses.send(ctx, HttpResponses.response(HttpResponseStatus.OK, JSON_TYPE, stats()), close);
      case "/drain" -> {
        if (post && !token.admits(request.headers())) {
          unauthorized(ctx, "/drain", close);
        } else if (post) {
          drain(ctx, uri, close);
        } else {
          notAllowed(ctx, "POST", close);
        }
      }
      case "/shed" -> {
        if (post && !token.admits(request.headers())) {
          unauthorized(ctx, "/shed", close);
        } else if (post) {
          shed(ctx, uri, close);
        } else {
          notAllowed(ctx, "POST", close);
        }
      }
      default -> HttpResponses.sendText(ctx, HttpResponseStatus.NOT_FOUND,
          "not found: /metrics /healthz /readyz /stats POST /drain[?code=1001] POST /shed?count=N", close);
    }
  }

  /** {@code POST /drain}: clients closed with 1012; {@code ?code=1001} when the cluster itself is going away. */
  private void drain(ChannelHandlerContext ctx, QueryStringDecoder uri, boolean close) {
    String code = uri.parameters().getOrDefault("code", List.of("1012")).get(0);
    CloseReason reason = switch (code) {
      case "1012" -> CloseReason.DRAIN;
      case "1001" -> CloseReason.GOING_AWAY;
      default -> null;
    };
    if (reason == null) {
      HttpResponses.sendText(ctx, HttpResponseStatus.BAD_REQUEST,
          "code must be 1012 (drain, the default) or 1001 (the cluster is going away), got " + code, close);
      return;
    }
    int connections = state.connections();
    drain.accept(reason);
    HttpResponses.send(ctx, HttpResponses.response(HttpResponseStatus.ACCEPTED, JSON_TYPE,
        "{\"draining\":true,\"connections\":" + connections + "}"), close);
  }

  private void shed(ChannelHandlerContext ctx, QueryStringDecoder uri, boolean close) {
    List<String> values = uri.parameters().get("count");
    int count;
    try {
      count = values == null || values.size() != 1 ? -1 : Integer.parseInt(values.get(0));
    } catch (NumberFormatException e) {
      count = -1;
    }
    if (count < 0) {
      HttpResponses.sendText(ctx, HttpResponseStatus.BAD_REQUEST, "count must be a whole number >= 0", close);
      return;
    }
    int shedding = Math.min(count, state.connections());
    shed.accept(shedding);
    HttpResponses.send(ctx, HttpResponses.response(HttpResponseStatus.ACCEPTED, JSON_TYPE,
        "{\"shedding\":" + shedding + "}"), close);
  }

  private String stats() {
    return JsonValue.write(out -> {
      out.writeStartObject();
      out.writeStringField("cluster", state.config().cluster());
      out.writeNumberField("shard", state.config().shardIndex());
      out.writeStringField("consumerGroup", state.config().consumerGroup());
      out.writeNumberField("connections", state.connections());
      out.writeNumberField("subscriptions", fanOut.subscriptions());
      out.writeNumberField("capacity", state.config().maxConnections());
      long lag = state.consumer().lag();
      out.writeFieldName("lag");
      if (lag < 0) {
        out.writeNull();
      } else {
        out.writeNumber(lag);
      }
      out.writeBooleanField("draining", state.draining());
      Readiness readiness = state.readiness();
      out.writeBooleanField("ready", readiness.ready());
      out.writeStringField("reason", readiness.reason());
      out.writeNumberField("assignedPartitions", state.consumer().assignedPartitions());
      out.writeBooleanField("brokerReachable", state.consumer().brokerReachable());
      // The autoscaler's load signal, over the last sampling interval; null until one has passed.
      Optional<LoadSampler.Load> last = load.last();
      out.writeFieldName("deliveriesPerSecond");
      if (last.isPresent()) {
        out.writeNumber(Math.round(last.get().deliveriesPerSecond() * 10) / 10.0);
      } else {
        out.writeNull();
      }
      double cpu = last.map(LoadSampler.Load::cpuUtilization).orElse(Double.NaN);
      out.writeFieldName("cpuUtilization");
      if (Double.isNaN(cpu)) {
        out.writeNull();
      } else {
        out.writeNumber(Math.round(cpu * 1000) / 1000.0);
      }
      out.writeNumberField("cpus", load.cpus());
      out.writeNumberField("loadIntervalSeconds", LoadSampler.INTERVAL.toSeconds());
      out.writeEndObject();
    });
  }

  private static void unauthorized(ChannelHandlerContext ctx, String path, boolean close) {
    io.netty.handler.codec.http.FullHttpResponse response = HttpResponses.response(HttpResponseStatus.UNAUTHORIZED,
        "text/plain; charset=utf-8", "POST " + path + " needs the management token: Authorization: Bearer <token> "
            + "(the operator's Secret <wscluster>-management-token, key token)\n");
    response.headers().set(io.netty.handler.codec.http.HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    HttpResponses.send(ctx, response, close);
  }

  private static void notAllowed(ChannelHandlerContext ctx, String allowed, boolean close) {
    HttpResponses.sendText(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use " + allowed, close);
  }
}
