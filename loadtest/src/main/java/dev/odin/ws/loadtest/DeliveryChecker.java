package dev.odin.ws.loadtest;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the text frames of one connection without a JSON parser: it finds {@code "channel":"},
 * {@code "position":"} and {@code "ts":} by scanning bytes, counts the message, checks that the offset
 * of each (channel, topic, partition) only ever grows by one, and records receive time minus the
 * record's Kafka timestamp. One instance per connection, used only on its event loop.
 *
 * <p>A gap is an offset that jumps by more than one. That is exact when each channel has its partitions
 * to itself (as in every benchmark here); when several channels share a partition it is an upper bound.
 */
public final class DeliveryChecker {
  private static final byte[] MESSAGE = ascii("{\"type\":\"message\"");
  private static final byte[] SUBSCRIBED = ascii("{\"type\":\"subscribed\"");
  private static final byte[] ERROR = ascii("{\"type\":\"error\"");
  private static final byte[] CHANNEL = ascii("\"channel\":\"");
  private static final byte[] POSITION = ascii("\"position\":\"");
  private static final byte[] TS = ascii("\"ts\":");

  private final byte[][] channels;
  private final LoopStats stats;
  /** (channel index, hash of "topicId:partition") → last offset, searched linearly: a handful of entries. */
  private long[] keys = new long[1];
  private long[] lastOffsets = new long[1];
  private int size;

  public DeliveryChecker(byte[][] channels, LoopStats stats) {
    this.channels = channels;
    this.stats = stats;
  }

  /** Handles one text frame's payload, {@code length} bytes from {@code start}, received at {@code nowMicros}. */
  public void onText(ByteBuf buf, int start, int length, long nowMicros) {
    Tally tally = stats.tally;
    int end = start + length;
    if (!startsWith(buf, start, end, MESSAGE)) {
      if (startsWith(buf, start, end, SUBSCRIBED)) {
        tally.subscribed++;
      } else if (startsWith(buf, start, end, ERROR)) {
        tally.errorReplies++;
      } else {
        tally.unparsed++;
      }
      return;
    }
    int channelStart = indexAfter(buf, start + MESSAGE.length, end, CHANNEL);
    int channelEnd = channelStart < 0 ? -1 : indexOf(buf, channelStart, end, (byte) '"');
    int positionStart = channelEnd < 0 ? -1 : indexAfter(buf, channelEnd, end, POSITION);
    int positionEnd = positionStart < 0 ? -1 : indexOf(buf, positionStart, end, (byte) '"');
    int tsStart = positionEnd < 0 ? -1 : indexAfter(buf, positionEnd, end, TS);
    if (tsStart < 0) {
      tally.unparsed++;
      return;
    }
    tally.messages++;
    if (tally.firstMessageMicros == 0) {
      tally.firstMessageMicros = nowMicros;
    }
    tally.lastMessageMicros = nowMicros;
    long ts = parseLong(buf, tsStart, end);
    stats.recordLatency(nowMicros - ts * 1000);

    int channel = channelIndex(buf, channelStart, channelEnd);
    if (channel < 0) {
      tally.unknownChannel++;
      return;
    }
    int lastColon = lastIndexOf(buf, positionStart, positionEnd, (byte) ':');
    if (lastColon < 0) {
      tally.unparsed++;
      return;
    }
    long offset = parseLong(buf, lastColon + 1, positionEnd);
    long key = hash(buf, positionStart, lastColon) * 31 + channel;
    check(key, offset);
  }

  private void check(long key, long offset) {
    for (int i = 0; i < size; i++) {
      if (keys[i] == key) {
        long last = lastOffsets[i];
        Tally tally = stats.tally;
        if (offset == last + 1) {
          lastOffsets[i] = offset;
        } else if (offset > last + 1) {
          tally.gaps++;
          tally.gapRecords += offset - last - 1;
          lastOffsets[i] = offset;
        } else if (offset == last) {
          tally.duplicates++;
        } else {
          tally.outOfOrder++;
        }
        return;
      }
    }
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
      lastOffsets = Arrays.copyOf(lastOffsets, size * 2);
    }
    keys[size] = key;
    lastOffsets[size] = offset;
    size++;
  }

  private int channelIndex(ByteBuf buf, int start, int end) {
    int length = end - start;
    outer:
    for (int c = 0; c < channels.length; c++) {
      byte[] name = channels[c];
      if (name.length != length) {
        continue;
      }
      for (int i = 0; i < length; i++) {
        if (buf.getByte(start + i) != name[i]) {
          continue outer;
        }
      }
      return c;
    }
    return -1;
  }

  static boolean startsWith(ByteBuf buf, int start, int end, byte[] prefix) {
    if (end - start < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (buf.getByte(start + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** The index just past the first occurrence of {@code needle} in [start, end), or -1. */
  static int indexAfter(ByteBuf buf, int start, int end, byte[] needle) {
    byte first = needle[0];
    int last = end - needle.length;
    outer:
    for (int i = start; i <= last; i++) {
      if (buf.getByte(i) != first) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (buf.getByte(i + j) != needle[j]) {
          continue outer;
        }
      }
      return i + needle.length;
    }
    return -1;
  }

  static int indexOf(ByteBuf buf, int start, int end, byte b) {
    for (int i = start; i < end; i++) {
      if (buf.getByte(i) == b) {
        return i;
      }
    }
    return -1;
  }

  static int lastIndexOf(ByteBuf buf, int start, int end, byte b) {
    for (int i = end - 1; i >= start; i--) {
      if (buf.getByte(i) == b) {
        return i;
      }
    }
    return -1;
  }

  /** Parses the decimal digits starting at {@code start}; stops at the first non-digit. */
  static long parseLong(ByteBuf buf, int start, int end) {
    long value = 0;
    for (int i = start; i < end; i++) {
      int d = buf.getByte(i) - '0';
      if (d < 0 || d > 9) {
        break;
      }
      value = value * 10 + d;
    }
    return value;
  }

  /** FNV-1a over the bytes: identifies "topicId:partition" without keeping a copy of it. */
  static long hash(ByteBuf buf, int start, int end) {
    long h = 0xcbf29ce484222325L;
    for (int i = start; i < end; i++) {
      h ^= buf.getByte(i) & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
