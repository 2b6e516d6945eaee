package dev.odin.ws.shard.ws;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** One frame the session wrote, read back from its bytes (server frames are unmasked). */
record ServerFrame(int opcode, boolean fin, byte[] payload) {
  static ServerFrame read(ByteBuf bytes) {
    try {
      int b0 = bytes.readUnsignedByte();
      int len = bytes.readUnsignedByte();
      if ((len & 0x80) != 0) {
        throw new AssertionError("server frames must not be masked");
      }
      long length = len == 126 ? bytes.readUnsignedShort() : len == 127 ? bytes.readLong() : len;
      byte[] payload = new byte[(int) length];
      bytes.readBytes(payload);
      if (bytes.isReadable()) {
        throw new AssertionError(bytes.readableBytes() + " bytes after the frame");
      }
      return new ServerFrame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
    } finally {
      bytes.release();
    }
  }

  String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  int closeCode() {
    return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
  }

  String closeReason() {
    return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
  }
}
