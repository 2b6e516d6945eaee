package dev.odin.ws.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads one HTTP/1.x request head, bounded in size and time, emits it as a {@link RequestHead} and removes
 * itself; the bytes after the head then flow on untouched (ByteToMessageDecoder hands its leftover to the
 * next handler on removal). A head that is too large, too slow or malformed is answered with 431, 408 or
 * 400 and the connection closed.
 */
final class RequestHeadDecoder extends ByteToMessageDecoder {

  private final int maxHeadBytes;
  private final Duration timeout;
  private final BalancerMetrics metrics;
  private Future<?> timeoutTask;
  // Bytes already searched for the end of the head, so a head that dribbles in is scanned once.
  private int searched;
  private boolean rejected;

  RequestHeadDecoder(int maxHeadBytes, Duration timeout, BalancerMetrics metrics) {
    this.maxHeadBytes = maxHeadBytes;
    this.timeout = timeout;
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timeoutTask =
        ctx.executor()
            .schedule(
                () -> reject(ctx, Rejection.HEAD_TIMEOUT), timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    timeoutTask.cancel(false);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    timeoutTask.cancel(false);
    super.channelInactive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (rejected) {
      in.skipBytes(in.readableBytes());
      return;
    }
    skipLeadingEmptyLines(in);
    int end = findEndOfHead(in);
    if (end < 0) {
      if (in.readableBytes() >= maxHeadBytes) {
        reject(ctx, Rejection.HEAD_TOO_LARGE);
      }
      return;
    }
    String text = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
    in.readerIndex(end + 4);
    RequestHead head;
    try {
      head = RequestHead.parse(text);
    } catch (IllegalArgumentException e) {
      reject(ctx, Rejection.BAD_REQUEST);
      return;
    }
    timeoutTask.cancel(false);
    out.add(head);
    ctx.pipeline().remove(this);
  }

  /** Index of the CR that starts CRLFCRLF within the first maxHeadBytes, or -1. */
  private int findEndOfHead(ByteBuf in) {
    int start = in.readerIndex();
    int limit = start + Math.min(in.readableBytes(), maxHeadBytes);
    for (int i = start + Math.max(0, searched - 3); i + 3 < limit; i++) {
      if (in.getByte(i) == '\r'
          && in.getByte(i + 1) == '\n'
          && in.getByte(i + 2) == '\r'
          && in.getByte(i + 3) == '\n') {
        return i;
      }
    }
    searched = limit - start;
    return -1;
  }

  // RFC 9112 §2.2: a server should ignore empty lines received before the request line.
  private void skipLeadingEmptyLines(ByteBuf in) {
    while (in.readableBytes() >= 2
        && in.getByte(in.readerIndex()) == '\r'
        && in.getByte(in.readerIndex() + 1) == '\n') {
      in.skipBytes(2);
      searched = Math.max(0, searched - 2);
    }
  }

  private void reject(ChannelHandlerContext ctx, Rejection rejection) {
    if (rejected || !ctx.channel().isActive()) {
      return;
    }
    rejected = true;
    rejection.reply(ctx.channel(), metrics);
  }
}
