package dev.odin.ws.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;

/** Reads what a handler wrote to an EmbeddedChannel without leaking it. */
final class EmbeddedBuffers {

  private EmbeddedBuffers() {}

  /** Takes the next outbound buffer, releases it and returns its bytes as ISO-8859-1 text. */
  static String readText(EmbeddedChannel ch) {
    ByteBuf out = ch.readOutbound();
    try {
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
    }
  }
}
