package dev.odin.ws.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;

/**
 * One client WebSocket connection: a raw upgrade request (no HTTP codec), one subscribe frame, then
 * every inbound byte goes through {@link FrameReader} to {@link DeliveryChecker}. Pings are answered,
 * and an unexpected end is counted by cause.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements FrameReader.Listener {
  private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
  /** A masked (zero key) close frame with code 1000, normal closure: what a client that leaves sends. */
  private static final byte[] CLOSE_NORMAL = {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8};

  private final Target target;
  private final byte[] subscribeFrame;
  private final LoopStats stats;
  private final DeliveryChecker checker;
  private final FrameReader frames = new FrameReader();
  private final Worker.StopFlag stop;
  /** Called once when the server ends an established connection, to resume it; null: no resume. */
  private final java.util.function.Consumer<io.netty.channel.Channel> onServerClose;
  private ByteBuf head;
  private boolean open;
  private boolean leaving;
  private String endCause;
  private ChannelHandlerContext ctx;
  private long now;

  ClientConnection(Target target, byte[] subscribeFrame, DeliveryChecker checker, LoopStats stats, Worker.StopFlag stop,
      java.util.function.Consumer<io.netty.channel.Channel> onServerClose) {
    this.target = target;
    this.subscribeFrame = subscribeFrame;
    this.stats = stats;
    this.checker = checker;
    this.stop = stop;
    this.onServerClose = onServerClose;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (leaving) {
      ctx.close();
      return;
    }
    ctx.writeAndFlush(Unpooled.wrappedBuffer(target.upgradeRequest()));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    if (open) {
      stats.tally.bytesReceived += in.readableBytes();
      now = Clock.nowMicros();
      frames.read(in, this);
      return;
    }
    readHead(ctx, in);
  }

  private void readHead(ChannelHandlerContext ctx, ByteBuf in) {
    if (head == null) {
      head = ctx.alloc().heapBuffer(256);
    }
    head.writeBytes(in);
    in.release();
    int end = headEnd(head);
    if (end < 0) {
      if (head.readableBytes() > 8192) {
        fail(ctx, "bad_upgrade_response");
      }
      return;
    }
    String statusLine = head.toString(head.readerIndex(), Math.min(head.readableBytes(), 32), StandardCharsets.US_ASCII);
    int status = statusLine.startsWith("HTTP/1.1 ") && statusLine.length() >= 12
        ? parseStatus(statusLine.substring(9, 12)) : -1;
    if (status != 101) {
      fail(ctx, status < 0 ? "bad_upgrade_response" : "http_" + status);
      return;
    }
    open = true;
    stats.tally.opened++;
    stats.tally.open++;
    if (subscribeFrame != null) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(subscribeFrame));
    }
    ByteBuf rest = head.readerIndex(end);
    head = null;
    now = Clock.nowMicros();
    // Ownership: FrameReader releases `rest` (the buffer that held the head).
    frames.read(rest, this);
  }

  /** The index just past the blank line that ends the response head, or -1. */
  private static int headEnd(ByteBuf head) {
    for (int i = head.readerIndex(); i + 3 < head.writerIndex(); i++) {
      if (head.getByte(i) == HEAD_END[0] && head.getByte(i + 1) == HEAD_END[1] && head.getByte(i + 2) == HEAD_END[2]
          && head.getByte(i + 3) == HEAD_END[3]) {
        return i + 4;
      }
    }
    return -1;
  }

  private static int parseStatus(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void onText(ByteBuf buf, int start, int length) {
    checker.onText(buf, start, length, now);
  }

  @Override
  public void onPing(ByteBuf buf, int start, int length) {
    ByteBuf pong = ctx.alloc().buffer(6 + length);
    pong.writeByte(0x8A).writeByte(0x80 | length).writeInt(0);
    pong.writeBytes(buf, start, length);
    ctx.writeAndFlush(pong);
  }

  @Override
  public void onClose(int code) {
    if (endCause == null) {
      endCause = "close_" + code;
    }
    ctx.close();
  }

  @Override
  public void onOther(int opcode) {
    stats.tally.unparsed++;
  }

  /**
   * Leaves for good (a ramp-down): a close frame with 1000 and the socket closed, counted as left, never resumed.
   * Runs on the connection's event loop.
   */
  void leave() {
    leaving = true;
    if (ctx == null) {
      return; // not connected yet: channelActive never ran, the connect attempt's own close ends it
    }
    if (open) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(CLOSE_NORMAL)).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (endCause == null) {
      endCause = Failures.classify(cause);
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    frames.release();
    if (head != null) {
      head.release();
      head = null;
    }
    if (open) {
      stats.tally.open--;
    }
    if (stop.stopping()) {
      return;
    }
    if (leaving) {
      stats.tally.left++;
      return;
    }
    String cause = endCause != null ? endCause : open ? "closed_by_server" : "closed_during_upgrade";
    if (open && onServerClose != null) {
      // Counted by cause like any end, under a name that says the connection came back.
      stats.tally.fail("resumed_after_" + cause);
      onServerClose.accept(ctx.channel());
      return;
    }
    stats.tally.fail(cause);
  }

  private void fail(ChannelHandlerContext ctx, String cause) {
    endCause = cause;
    ctx.close();
  }
}
