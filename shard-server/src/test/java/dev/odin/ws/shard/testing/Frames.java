package dev.odin.ws.shard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads back what a shard wrote: consecutive unmasked WebSocket text frames of JSON, as data frames are. */
public final class Frames {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Frames() {}

  /** Every frame's JSON from the readable bytes, which it consumes; the caller keeps the buffer and releases it. */
  public static List<JsonNode> read(ByteBuf bytes) {
    List<JsonNode> messages = new ArrayList<>();
    while (bytes.isReadable()) {
      bytes.readByte();
      int length = bytes.readUnsignedByte();
      length = length == 126 ? bytes.readUnsignedShort() : length;
      byte[] payload = new byte[length];
      bytes.readBytes(payload);
      try {
        messages.add(JSON.readTree(payload));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return messages;
  }
}
