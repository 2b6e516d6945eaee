package dev.odin.ws.shard.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.nio.charset.StandardCharsets;

/**
 * The WebSocket framing of RFC 6455 §5 for one direction each: masked frames from a client are parsed
 * here, unmasked frames to it are encoded here. It replaces Netty's per-connection frame decoder and
 * encoder after the handshake (two handlers and their contexts, ~230 bytes on every idle connection);
 * it keeps no state of its own, the session keeps the only state there is (a partial frame, a
 * fragmented message).
 */
final class ClientFrames {
  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;
  private static final int MAX_CONTROL_PAYLOAD = 125;

  /** What a parsed frame or a broken one becomes. */
  interface Sink {
    /** One whole frame; {@code payload} is unmasked and released after the call. */
    void frame(int opcode, boolean fin, ByteBuf payload);

    /** The client broke the protocol; nothing after this point of its stream is read. */
    void violation(CloseReason reason, String text);
  }

  /** The outcome of {@link #next}. */
  enum Step { FRAME, NEED_MORE, BROKEN }

  private ClientFrames() {}

  /**
   * Reads one frame from {@code in} if it holds a whole one. {@code fragmenting}: whether a fragmented
   * message is in progress, so that a continuation is expected and a new data frame is not.
   */
  static Step next(ByteBuf in, int maxPayload, boolean fragmenting, Sink sink) {
    int start = in.readerIndex();
    if (in.readableBytes() < 2) {
      return Step.NEED_MORE;
    }
    int b0 = in.getUnsignedByte(start);
    int b1 = in.getUnsignedByte(start + 1);
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0F;
    if ((b0 & 0x70) != 0) {
      return broken(sink, CloseReason.PROTOCOL_ERROR, "reserved bits set without an extension");
    }
    if ((b1 & 0x80) == 0) {
      return broken(sink, CloseReason.PROTOCOL_ERROR, "client frames must be masked");
    }
    boolean control = (opcode & 0x8) != 0;
    if (control ? opcode > PONG : opcode > BINARY) {
      return broken(sink, CloseReason.PROTOCOL_ERROR, "unknown opcode " + opcode);
    }
    if (!control && (opcode == CONTINUATION) != fragmenting) {
      return broken(sink, CloseReason.PROTOCOL_ERROR,
          fragmenting ? "a new message began inside a fragmented one" : "continuation frame without a message");
    }
    int len7 = b1 & 0x7F;
    if (control && (!fin || len7 > MAX_CONTROL_PAYLOAD)) {
      return broken(sink, CloseReason.PROTOCOL_ERROR, "control frames must be whole and at most 125 bytes");
    }
    int header = 2;
    long length = len7;
    if (len7 == 126) {
      if (in.readableBytes() < 4) {
        return Step.NEED_MORE;
      }
      length = in.getUnsignedShort(start + 2);
      header = 4;
      if (length < 126) {
        return broken(sink, CloseReason.PROTOCOL_ERROR, "frame length not in its shortest form");
      }
    } else if (len7 == 127) {
      if (in.readableBytes() < 10) {
        return Step.NEED_MORE;
      }
      length = in.getLong(start + 2);
      header = 10;
      if (length < 65_536) {
        return broken(sink, CloseReason.PROTOCOL_ERROR, "frame length not in its shortest form");
      }
    }
    if (length > maxPayload) {
      return broken(sink, CloseReason.FRAME_TOO_BIG, "message larger than " + maxPayload + " bytes");
    }
    int total = header + 4 + (int) length;
    if (in.readableBytes() < total) {
      return Step.NEED_MORE;
    }
    int mask = in.getInt(start + header);
    int payloadStart = start + header + 4;
    unmask(in, payloadStart, (int) length, mask);
    in.readerIndex(start + total);
    ByteBuf payload = in.retainedSlice(payloadStart, (int) length);
    try {
      if (opcode == CLOSE && !validClose(payload, sink)) {
        return Step.BROKEN;
      }
      sink.frame(opcode, fin, payload);
    } finally {
      payload.release();
    }
    return Step.FRAME;
  }

  private static boolean validClose(ByteBuf payload, Sink sink) {
    int n = payload.readableBytes();
    if (n == 1) {
      sink.violation(CloseReason.PROTOCOL_ERROR, "close frame with a one-byte payload");
      return false;
    }
    if (n >= 2) {
      int code = payload.getUnsignedShort(payload.readerIndex());
      if (!WebSocketCloseStatus.isValidStatusCode(code) || code > 4999) {
        sink.violation(CloseReason.PROTOCOL_ERROR, "invalid close code " + code);
        return false;
      }
      if (!ByteBufUtil.isText(payload, payload.readerIndex() + 2, n - 2, StandardCharsets.UTF_8)) {
        sink.violation(CloseReason.INVALID_TEXT, "close reason is not valid UTF-8");
        return false;
      }
    }
    return true;
  }

  private static Step broken(Sink sink, CloseReason reason, String text) {
    sink.violation(reason, text);
    return Step.BROKEN;
  }

  private static void unmask(ByteBuf buf, int from, int length, int mask) {
    int i = 0;
    for (; i + 4 <= length; i += 4) {
      buf.setInt(from + i, buf.getInt(from + i) ^ mask);
    }
    for (; i < length; i++) {
      buf.setByte(from + i, buf.getByte(from + i) ^ (mask >>> (8 * (3 - (i & 3)))));
    }
  }

  /** One unmasked, final frame of {@code opcode} carrying {@code payload}, which it releases. */
  static ByteBuf encode(ByteBufAllocator alloc, int opcode, ByteBuf payload) {
    try {
      int length = payload.readableBytes();
      int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
      ByteBuf out = alloc.buffer(header + length);
      out.writeByte(0x80 | opcode);
      if (length <= 125) {
        out.writeByte(length);
      } else if (length <= 0xFFFF) {
        out.writeByte(126).writeShort(length);
      } else {
        out.writeByte(127).writeLong(length);
      }
      return out.writeBytes(payload, payload.readerIndex(), length);
    } finally {
      payload.release();
    }
  }
}
