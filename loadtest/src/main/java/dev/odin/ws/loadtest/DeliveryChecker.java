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
 * A channel spread over partitions has spread positions; the checker reads the record's own partition and
 * offset out of them ({@link SpreadRecord}) and checks each partition the same way.
 */
public final class DeliveryChecker {
  private static final byte[] MESSAGE = ascii("{\"type\":\"message\"");
  private static final byte[] SUBSCRIBED = ascii("{\"type\":\"subscribed\"");
  private static final byte[] ERROR = ascii("{\"type\":\"error\"");
  private static final byte[] CHANNEL = ascii("\"channel\":\"");
  private static final byte[] POSITION = ascii("\"position\":\"");
  private static final byte[] TS = ascii("\"ts\":");
  /** What follows a position's offset in the shard's envelope. */
  private static final byte[] AFTER_OFFSET = ascii("\",\"ts\":");
  /** Enough for the envelope before "data" with a 64-byte channel name. */
  private static final int ENVELOPE_BYTES = 256;

  private final byte[][] channels;
  private final LoopStats stats;
  /** The last position seen per channel, kept only when the connection resumes after a close. */
  private final String[] lastPositions;
  /** (channel index, hash of "topicId:partition") → last offset, searched linearly: a handful of entries. */
  private long[] keys = new long[1];
  private long[] lastOffsets = new long[1];
  private int size;
  /**
   * The last data frame's bytes up to its offset ({@code ..."position":"topicId:partition:}), and what they
   * identify. A connection's frames of one channel and partition differ only from the offset on, so a frame
   * that starts with these bytes is read from the offset with one array comparison instead of a field scan.
   */
  private byte[] knownPrefix = new byte[0];
  private int knownPrefixLength;
  private int knownChannel;
  private int knownEntry;
  private int knownPositionStart;

  public DeliveryChecker(byte[][] channels, LoopStats stats) {
    this(channels, stats, false);
  }

  /** {@code rememberPositions}: keep each channel's last position, for a resume with {@code since}. */
  public DeliveryChecker(byte[][] channels, LoopStats stats, boolean rememberPositions) {
    this.channels = channels;
    this.stats = stats;
    this.lastPositions = rememberPositions ? new String[channels.length] : null;
  }

  /** The last position seen on channel {@code index}, or null (also when positions are not kept). */
  public String lastPosition(int index) {
    return lastPositions == null ? null : lastPositions[index];
  }

  /** The channel names this checker knows, by index. */
  byte[][] channels() {
    return channels;
  }

  /** Handles one text frame's payload, {@code length} bytes from {@code start}, received at {@code nowMicros}. */
  public void onText(ByteBuf buf, int start, int length, long nowMicros) {
    // One copy of the envelope's bytes into the loop's scratch array, then plain array scans: the
    // envelope fields all come before "data", so the first bytes are enough unless a field is huge.
    int n = Math.min(length, ENVELOPE_BYTES);
    byte[] b = stats.scratch(n);
    buf.getBytes(start, b, 0, n);
    if (parseKnown(b, n, nowMicros) || parse(b, n, nowMicros)) {
      return;
    }
    if (n < length) {
      b = stats.scratch(length);
      buf.getBytes(start, b, 0, length);
      if (parse(b, length, nowMicros)) {
        return;
      }
    }
    stats.tally.unparsed++;
  }

  /** False when the frame looked like a data frame but a field was missing (maybe beyond {@code end}). */
  private boolean parse(byte[] b, int end, long nowMicros) {
    Tally tally = stats.tally;
    if (!startsWith(b, end, MESSAGE)) {
      if (startsWith(b, end, SUBSCRIBED)) {
        tally.subscribed++;
      } else if (startsWith(b, end, ERROR)) {
        tally.errorReplies++;
      } else {
        tally.unparsed++;
      }
      return true;
    }
    int channelStart = indexAfter(b, MESSAGE.length, end, CHANNEL);
    int channelEnd = channelStart < 0 ? -1 : indexOf(b, channelStart, end, (byte) '"');
    int positionStart = channelEnd < 0 ? -1 : indexAfter(b, channelEnd, end, POSITION);
    int positionEnd = positionStart < 0 ? -1 : indexOf(b, positionStart, end, (byte) '"');
    int tsStart = positionEnd < 0 ? -1 : indexAfter(b, positionEnd, end, TS);
    if (tsStart < 0 || tsStart >= end || !isDigit(b[tsStart])) {
      return false;
    }
    long ts = parseLong(b, tsStart, end);
    int channel = channelIndex(b, channelStart, channelEnd);
    countMessage(ts, nowMicros);
    if (channel < 0) {
      tally.unknownChannel++;
      return true;
    }
    int lastColon = lastIndexOf(b, positionStart, positionEnd, (byte) ':');
    if (lastColon < 0) {
      SpreadRecord record = SpreadRecord.of(b, positionStart, positionEnd);
      if (record == null) {
        tally.unparsed++;
        return true;
      }
      rememberPosition(channel, b, positionStart, positionEnd);
      entry(record.partitionHash() * 31 + channel, record.offset());
      knownPrefixLength = 0; // a spread position differs from the previous one from its first byte on
      return true;
    }
    long offset = parseLong(b, lastColon + 1, positionEnd);
    rememberPosition(channel, b, positionStart, positionEnd);
    int entry = entry(hash(b, positionStart, lastColon) * 31 + channel, offset);
    remember(b, lastColon + 1, channel, entry, positionStart);
    return true;
  }

  /** True when the frame starts with the last data frame's bytes up to its offset and was counted. */
  private boolean parseKnown(byte[] b, int end, long nowMicros) {
    int offsetStart = knownPrefixLength;
    if (offsetStart == 0 || end <= offsetStart || !Arrays.equals(b, 0, offsetStart, knownPrefix, 0, offsetStart)) {
      return false;
    }
    int offsetEnd = offsetStart;
    while (offsetEnd < end && isDigit(b[offsetEnd])) {
      offsetEnd++;
    }
    int tsStart = offsetEnd + AFTER_OFFSET.length;
    if (offsetEnd == offsetStart || tsStart >= end || !isDigit(b[tsStart])
        || !Arrays.equals(b, offsetEnd, tsStart, AFTER_OFFSET, 0, AFTER_OFFSET.length)) {
      return false;
    }
    countMessage(parseLong(b, tsStart, end), nowMicros);
    rememberPosition(knownChannel, b, knownPositionStart, offsetEnd);
    step(knownEntry, parseLong(b, offsetStart, offsetEnd));
    return true;
  }

  private void countMessage(long tsMillis, long nowMicros) {
    Tally tally = stats.tally;
    tally.messages++;
    if (tally.firstMessageMicros == 0) {
      tally.firstMessageMicros = nowMicros;
    }
    tally.lastMessageMicros = nowMicros;
    stats.recordLatency(nowMicros - tsMillis * 1000);
  }

  private void rememberPosition(int channel, byte[] b, int positionStart, int positionEnd) {
    if (lastPositions != null) {
      lastPositions[channel] = new String(b, positionStart, positionEnd - positionStart, StandardCharsets.US_ASCII);
    }
  }

  private void remember(byte[] b, int prefixLength, int channel, int entry, int positionStart) {
    if (knownPrefix.length < prefixLength) {
      knownPrefix = new byte[prefixLength];
    }
    System.arraycopy(b, 0, knownPrefix, 0, prefixLength);
    knownPrefixLength = prefixLength;
    knownChannel = channel;
    knownEntry = entry;
    knownPositionStart = positionStart;
  }

  /** Checks {@code offset} against the entry of {@code key} (added when new); returns the entry's index. */
  private int entry(long key, long offset) {
    for (int i = 0; i < size; i++) {
      if (keys[i] == key) {
        step(i, offset);
        return i;
      }
    }
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
      lastOffsets = Arrays.copyOf(lastOffsets, size * 2);
    }
    keys[size] = key;
    lastOffsets[size] = offset;
    return size++;
  }

  private void step(int entry, long offset) {
    long last = lastOffsets[entry];
    Tally tally = stats.tally;
    if (offset == last + 1) {
      lastOffsets[entry] = offset;
    } else if (offset > last + 1) {
      tally.gaps++;
      tally.gapRecords += offset - last - 1;
      lastOffsets[entry] = offset;
    } else if (offset == last) {
      tally.duplicates++;
    } else {
      tally.outOfOrder++;
    }
  }

  private int channelIndex(byte[] b, int start, int end) {
    for (int c = 0; c < channels.length; c++) {
      if (Arrays.equals(b, start, end, channels[c], 0, channels[c].length)) {
        return c;
      }
    }
    return -1;
  }

  static boolean startsWith(byte[] b, int end, byte[] prefix) {
    return end >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** The index just past the first occurrence of {@code needle} in [start, end), or -1. */
  static int indexAfter(byte[] b, int start, int end, byte[] needle) {
    byte first = needle[0];
    int last = end - needle.length;
    for (int i = start; i <= last; i++) {
      if (b[i] == first && Arrays.equals(b, i + 1, i + needle.length, needle, 1, needle.length)) {
        return i + needle.length;
      }
    }
    return -1;
  }

  static int indexOf(byte[] b, int start, int end, byte x) {
    for (int i = start; i < end; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  static int lastIndexOf(byte[] b, int start, int end, byte x) {
    for (int i = end - 1; i >= start; i--) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** Parses the decimal digits starting at {@code start}; stops at the first non-digit. */
  static long parseLong(byte[] b, int start, int end) {
    long value = 0;
    for (int i = start; i < end && isDigit(b[i]); i++) {
      value = value * 10 + (b[i] - '0');
    }
    return value;
  }

  /** FNV-1a over the bytes: identifies "topicId:partition" without keeping a copy of it. */
  static long hash(byte[] b, int start, int end) {
    long h = 0xcbf29ce484222325L;
    for (int i = start; i < end; i++) {
      h ^= b[i] & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
