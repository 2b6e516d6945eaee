package dev.odin.ws.balancer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code GET /readyz} to a backend's management port, on the balancer's own event loops.
 *
 * <p>Why not the JDK HttpClient: on a 2-CPU machine it completes every async call on a brand-new thread
 * (the common pool's parallelism is 1, so CompletableFuture falls back to a thread per task), i.e. several
 * threads created per second just for health checks. Each probe uses a fresh connection with
 * {@code Connection: close}, so a shard that can no longer accept connections fails its check instead of
 * answering over a connection kept alive from before.
 */
final class ReadyzProbe {

  /**
   * The outcome of one check: {@code answered} is false when no HTTP answer came (refused, reset, timeout);
   * {@code detail} is for the log line when the verdict changes.
   */
  record Result(boolean ready, boolean answered, String detail) {
    static Result error(String detail) {
      return new Result(false, false, detail);
    }
  }

  private final EventLoopGroup group;
  private final Class<? extends Channel> socketChannel;
  private final Duration timeout;

  ReadyzProbe(EventLoopGroup group, Class<? extends Channel> socketChannel, Duration timeout) {
    this.group = group;
    this.socketChannel = socketChannel;
    this.timeout = timeout;
  }

  /** Never completes exceptionally: errors and the timeout are a not-ready result. */
  CompletableFuture<Result> probe(Backend backend) {
    CompletableFuture<Result> result = new CompletableFuture<>();
    var connect =
        new Bootstrap()
            .group(group)
            .channel(socketChannel)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
            .handler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(4096))
                        .addLast(new ResponseHandler(result));
                  }
                })
            .connect(backend.host(), backend.managementPort());
    Channel ch = connect.channel();
    // Any loop will do for the deadline: completing the future and closing the channel are thread-safe.
    var deadline =
        group
            .next()
            .schedule(
                () -> {
                  result.complete(Result.error("no answer within " + timeout.toMillis() + " ms"));
                  ch.close();
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
    result.whenComplete((r, e) -> deadline.cancel(false));
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            FullHttpRequest request =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/readyz");
            request.headers().set(HttpHeaderNames.HOST, backend.host() + ":" + backend.managementPort());
            request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ch.writeAndFlush(request);
          } else {
            result.complete(Result.error("connect failed: " + f.cause()));
          }
        });
    return result;
  }

  private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final CompletableFuture<Result> result;

    ResponseHandler(CompletableFuture<Result> result) {
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      String body = response.content().toString(StandardCharsets.UTF_8).strip();
      int status = response.status().code();
      result.complete(new Result(status == 200, true, status + (body.isEmpty() ? "" : " " + body)));
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.complete(Result.error(cause.toString()));
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.complete(Result.error("closed without an answer"));
    }
  }
}
