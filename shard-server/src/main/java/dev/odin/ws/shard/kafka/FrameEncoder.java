package dev.odin.ws.shard.kafka;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.odin.ws.shard.json.JsonValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a record into the data-frame envelope of the client protocol, already framed as an
 * unmasked WebSocket text frame, so the bytes go to every subscriber as they are. Used by one
 * thread (the consumer), which lets it reuse its scratch buffer.
 */
public final class FrameEncoder {
  private static final byte[] PREFIX = "{\"type\":\"message\",\"channel\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] POSITION = ",\"position\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TS = "\",\"ts\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = ",\"data\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final int FIN_TEXT = 0x81;

  private final ByteBuf scratch = Unpooled.buffer(1024);

  /** Appends one complete WebSocket frame carrying the record to {@code out}. */
  public void appendFrame(ByteBuf out, String channel, String position, long timestamp, byte[] value) {
    scratch.clear();
    scratch.writeBytes(PREFIX);
    appendJsonString(scratch, channel);
    scratch.writeBytes(POSITION);
    scratch.writeCharSequence(position, StandardCharsets.US_ASCII);
    scratch.writeBytes(TS);
    scratch.writeCharSequence(Long.toString(timestamp), StandardCharsets.US_ASCII);
    scratch.writeBytes(DATA);
    if (value == null) {
      scratch.writeBytes(NULL);
    } else if (isSingleJsonValue(value)) {
      scratch.writeBytes(value);
    } else {
      appendJsonString(scratch, new String(value, StandardCharsets.UTF_8));
    }
    scratch.writeByte('}');
    writeHeader(out, scratch.readableBytes());
    out.writeBytes(scratch, scratch.readerIndex(), scratch.readableBytes());
  }

  static void writeHeader(ByteBuf out, int length) {
    out.writeByte(FIN_TEXT);
    if (length <= 125) {
      out.writeByte(length);
    } else if (length <= 0xFFFF) {
      out.writeByte(126);
      out.writeShort(length);
    } else {
      out.writeByte(127);
      out.writeLong(length);
    }
  }

  /** True when the bytes are exactly one JSON value (object, array, string, number, literal). */
  static boolean isSingleJsonValue(byte[] value) {
    try (JsonParser parser = JsonValue.FACTORY.createParser(value)) {
      int depth = 0;
      int roots = 0;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (depth == 0 && ++roots > 1) {
          return false;
        }
        if (token.isStructStart()) {
          depth++;
        } else if (token.isStructEnd()) {
          depth--;
        }
      }
      return roots == 1 && depth == 0;
    } catch (IOException e) {
      return false;
    }
  }

  static void appendJsonString(ByteBuf out, String text) {
    out.writeByte('"');
    int start = 0;
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f) {
        continue;
      }
      if (c >= 0x80 && !Character.isSurrogate(c)) {
        continue;
      }
      if (i > start) {
        out.writeCharSequence(text.subSequence(start, i), StandardCharsets.UTF_8);
      }
      start = i + 1;
      switch (c) {
        case '"' -> out.writeByte('\\').writeByte('"');
        case '\\' -> out.writeByte('\\').writeByte('\\');
        case '\n' -> out.writeByte('\\').writeByte('n');
        case '\r' -> out.writeByte('\\').writeByte('r');
        case '\t' -> out.writeByte('\\').writeByte('t');
        default -> {
          if (Character.isSurrogate(c)) {
            // A valid pair is copied as UTF-8; a lone surrogate becomes U+FFFD rather than broken UTF-8.
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
              out.writeCharSequence(text.subSequence(i, i + 2), StandardCharsets.UTF_8);
              i++;
              start = i + 1;
            } else {
              out.writeCharSequence("\uFFFD", StandardCharsets.UTF_8);
            }
          } else {
            out.writeByte('\\').writeByte('u').writeByte('0').writeByte('0');
            out.writeByte(HEX[(c >> 4) & 0xF]).writeByte(HEX[c & 0xF]);
          }
        }
      }
    }
    if (start < length) {
      out.writeCharSequence(text.subSequence(start, length), StandardCharsets.UTF_8);
    }
    out.writeByte('"');
  }
}
