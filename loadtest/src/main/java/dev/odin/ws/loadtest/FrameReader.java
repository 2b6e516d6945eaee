package dev.odin.ws.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Splits the server's byte stream into WebSocket frames in place, with no frame objects and no copy
 * except of a frame cut by the end of a read. Server frames are unmasked (RFC 6455 §5.1) and the shard
 * never fragments, so a frame is a header and a payload. One per connection, on its event loop.
 */
public final class FrameReader {
  /** What a connection does with each frame; the payload is only valid during the call. */
  public interface Listener {
    void onText(ByteBuf buf, int start, int length);

    void onPing(ByteBuf buf, int start, int length);

    void onClose(int code);

    /** A frame the client does not expect (binary, continuation, reserved opcodes). */
    void onOther(int opcode);
  }

  private static final int OP_CONTINUATION = 0x0;
  private static final int OP_TEXT = 0x1;
  private static final int OP_CLOSE = 0x8;
  private static final int OP_PING = 0x9;
  private static final int OP_PONG = 0xA;

  /**
   * The start of a frame the previous read ended inside, copied out of that read's buffer; null most of the
   * time. It only ever holds that one frame, so a connection keeps at most one frame between reads, never a
   * whole read's buffer (ten thousand connections each keeping a 64 KB read would fill the heap).
   */
  private ByteBuf pending;

  /** Consumes {@code in} (and releases it). */
  public void read(ByteBuf in, Listener listener) {
    try {
      if (pending != null && !completePending(in, listener)) {
        return;
      }
      while (true) {
        int frameLength = frameLength(in);
        if (frameLength < 0) {
          break;
        }
        dispatch(in, listener);
        in.skipBytes(frameLength);
      }
      if (in.isReadable()) {
        pending = ByteBufAllocator.DEFAULT.heapBuffer(Math.max(256, missingBytes(in) + in.readableBytes()));
        pending.writeBytes(in);
      }
    } finally {
      in.release();
    }
  }

  /** Moves from {@code in} what the pending frame lacks; once whole, dispatches it. False when {@code in} ran out first. */
  private boolean completePending(ByteBuf in, Listener listener) {
    while (in.isReadable()) {
      pending.writeBytes(in, Math.min(missingBytes(pending), in.readableBytes()));
      if (frameLength(pending) >= 0) {
        try {
          dispatch(pending, listener);
        } finally {
          pending.release();
          pending = null;
        }
        return true;
      }
    }
    return false;
  }

  /** Releases what a closed connection still held. */
  public void release() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }

  /** Bytes held between reads. */
  int heldBytes() {
    return pending == null ? 0 : pending.capacity();
  }

  /** How many more bytes the frame at the start of {@code buf} needs: 0 when it is all there. */
  private static int missingBytes(ByteBuf buf) {
    return Math.max(0, knownLength(buf) - buf.readableBytes());
  }

  /** The whole frame's size when it is all in {@code buf}, else -1. */
  private static int frameLength(ByteBuf buf) {
    int length = knownLength(buf);
    return length <= buf.readableBytes() ? length : -1;
  }

  /**
   * The length of the frame at the start of {@code buf} as far as its bytes so far tell: the header's first two
   * bytes, the whole header while that is cut, else header and payload.
   */
  private static int knownLength(ByteBuf buf) {
    int readable = buf.readableBytes();
    if (readable < 2) {
      return 2;
    }
    int r = buf.readerIndex();
    int b1 = buf.getByte(r + 1) & 0xff;
    int headerLength = headerLength(b1);
    if (readable < headerLength) {
      return headerLength;
    }
    long payload = payloadLength(buf, r, b1);
    if (headerLength + payload > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("frame of " + payload + " bytes");
    }
    return (int) (headerLength + payload);
  }

  private static int headerLength(int b1) {
    int len7 = b1 & 0x7f;
    int mask = (b1 & 0x80) != 0 ? 4 : 0;
    return 2 + mask + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
  }

  private static long payloadLength(ByteBuf buf, int r, int b1) {
    int len7 = b1 & 0x7f;
    if (len7 == 126) {
      return buf.getUnsignedShort(r + 2);
    }
    if (len7 == 127) {
      return buf.getLong(r + 2);
    }
    return len7;
  }

  private static void dispatch(ByteBuf buf, Listener listener) {
    int r = buf.readerIndex();
    int opcode = buf.getByte(r) & 0x0f;
    int b1 = buf.getByte(r + 1) & 0xff;
    int start = r + headerLength(b1);
    int length = (int) payloadLength(buf, r, b1);
    switch (opcode) {
      case OP_TEXT -> listener.onText(buf, start, length);
      case OP_PING -> listener.onPing(buf, start, length);
      case OP_PONG -> { }
      case OP_CLOSE -> listener.onClose(length >= 2 ? buf.getUnsignedShort(start) : 1005);
      default -> listener.onOther(opcode == OP_CONTINUATION ? 0 : opcode);
    }
  }
}
