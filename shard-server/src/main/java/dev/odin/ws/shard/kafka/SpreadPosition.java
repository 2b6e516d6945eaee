package dev.odin.ws.shard.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;
import org.apache.kafka.common.Uuid;

/**
 * The position of a channel spread over partitions: for every partition of each topic the channel comes from, the
 * offset from which the client has not seen the channel's records, and which of them holds the record it was issued
 * with. Every partition of those topics is named, including ones the channel has had nothing from yet, because a
 * record may arrive on any of them while the client is away.
 *
 * <p>The text is base64url (no padding, never a {@code ':'}, which tells it from a {@link PartitionPosition}) of:
 * a version byte; the varint index of the record's partition among all listed; the varint topic count; per topic its
 * 16-byte id, the varint partition count, the first offset as a varint and each next one as a zigzag varint
 * difference from the one before (partitions of a topic are read at similar rates, so the differences are short);
 * then a CRC-32C of the channel's UTF-8 name followed by those bytes. The check value makes a corrupted position, or
 * one issued for another channel, invalid instead of a wrong replay; it is no secret (see docs/shard-server.md).
 */
public record SpreadPosition(List<TopicOffsets> topics, int ownTopic, int ownPartition) implements Position {
  static final byte VERSION = 1;
  private static final int MAX_TOPICS = 1024;
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder UNBASE64 = Base64.getUrlDecoder();

  @Override
  public boolean wholeTopics() {
    return true;
  }

  @Override
  public long ownOffset() {
    return topics.get(ownTopic).next()[ownPartition] - 1;
  }

  @Override
  public String encode(String channel) {
    Uuid[] ids = new Uuid[topics.size()];
    long[][] next = new long[topics.size()][];
    for (int t = 0; t < ids.length; t++) {
      ids[t] = topics.get(t).topicId();
      next[t] = topics.get(t).next();
    }
    return new Writer().write(channel.getBytes(StandardCharsets.UTF_8), ids, next, ownTopic, ownPartition);
  }

  /** Decodes what a {@link Writer} wrote for {@code channel}; empty for anything else, never an exception. */
  public static Optional<SpreadPosition> decode(String channel, String text) {
    if (channel == null || text == null || text.isEmpty() || text.length() > MAX_TEXT_LENGTH) {
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = UNBASE64.decode(text);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // Only the canonical text: base64 leaves spare bits in its last character, which must not make a second one.
    if (bytes.length < 5 || bytes[0] != VERSION || !BASE64.encodeToString(bytes).equals(text)) {
      return Optional.empty();
    }
    int body = bytes.length - 4;
    CRC32C crc = new CRC32C();
    crc.update(channel.getBytes(StandardCharsets.UTF_8));
    crc.update(bytes, 0, body);
    if ((int) crc.getValue() != readInt(bytes, body)) {
      return Optional.empty();
    }
    Reader in = new Reader(bytes, 1, body);
    long ownSlot = in.varint();
    long topicCount = in.varint();
    if (ownSlot < 0 || topicCount < 1 || topicCount > MAX_TOPICS) {
      return Optional.empty();
    }
    List<TopicOffsets> topics = new ArrayList<>((int) topicCount);
    Set<Uuid> seen = new HashSet<>();
    int ownTopic = -1;
    int ownPartition = -1;
    long slot = 0;
    for (int t = 0; t < topicCount; t++) {
      Uuid id = in.uuid();
      long count = in.varint();
      // Each partition takes at least one byte, so the count is bounded by what is left.
      if (id == null || !seen.add(id) || count < 1 || count > in.remaining()) {
        return Optional.empty();
      }
      long[] next = new long[(int) count];
      for (int p = 0; p < count; p++) {
        long value = p == 0 ? in.varint() : next[p - 1] + unzigzag(in.varint());
        if (value < 0 || in.failed()) {
          return Optional.empty();
        }
        next[p] = value;
      }
      if (ownSlot >= slot && ownSlot < slot + count) {
        ownTopic = t;
        ownPartition = (int) (ownSlot - slot);
      }
      slot += count;
      topics.add(new TopicOffsets(id, 0, next));
    }
    if (in.failed() || in.remaining() != 0 || ownTopic < 0 || topics.get(ownTopic).next()[ownPartition] < 1) {
      return Optional.empty(); // trailing bytes, or no record of the channel behind it
    }
    return Optional.of(new SpreadPosition(List.copyOf(topics), ownTopic, ownPartition));
  }

  /** Writes spread positions; one per thread, which lets it reuse its buffer. */
  public static final class Writer {
    private final CRC32C crc = new CRC32C();
    private byte[] buf = new byte[128];
    private int length;

    /**
     * The position text of a record of the channel in partition {@code ownPartition} of topic {@code ownTopic}:
     * {@code next[t][p]} is the offset from which partition {@code p} of topic {@code ids[t]} has not been delivered
     * (for the record's own partition, its offset + 1).
     */
    public String write(byte[] channelUtf8, Uuid[] ids, long[][] next, int ownTopic, int ownPartition) {
      length = 0;
      writeByte(VERSION);
      long ownSlot = ownPartition;
      for (int t = 0; t < ownTopic; t++) {
        ownSlot += next[t].length;
      }
      writeVarint(ownSlot);
      writeVarint(ids.length);
      for (int t = 0; t < ids.length; t++) {
        writeLong(ids[t].getMostSignificantBits());
        writeLong(ids[t].getLeastSignificantBits());
        long[] offsets = next[t];
        writeVarint(offsets.length);
        writeVarint(offsets[0]);
        for (int p = 1; p < offsets.length; p++) {
          writeVarint(zigzag(offsets[p] - offsets[p - 1]));
        }
      }
      crc.reset();
      crc.update(channelUtf8);
      crc.update(buf, 0, length);
      writeInt((int) crc.getValue());
      return new String(BASE64.encode(Arrays.copyOf(buf, length)), StandardCharsets.US_ASCII);
    }

    private void ensure(int more) {
      if (length + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
      }
    }

    private void writeByte(int b) {
      ensure(1);
      buf[length++] = (byte) b;
    }

    private void writeVarint(long value) {
      ensure(10);
      long v = value;
      while ((v & ~0x7FL) != 0) {
        buf[length++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[length++] = (byte) v;
    }

    private void writeLong(long v) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[length++] = (byte) (v >>> shift);
      }
    }

    private void writeInt(int v) {
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        buf[length++] = (byte) (v >>> shift);
      }
    }
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
  }

  /** Reads varints and ids up to {@code end}; after a malformed or truncated value, {@link #failed()} stays true. */
  private static final class Reader {
    private final byte[] b;
    private final int end;
    private int at;
    private boolean failed;

    Reader(byte[] b, int at, int end) {
      this.b = b;
      this.at = at;
      this.end = end;
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) {
          failed = true;
          return -1;
        }
        byte next = b[at++];
        value |= (long) (next & 0x7F) << shift;
        if (next >= 0) {
          return value;
        }
      }
      failed = true;
      return -1;
    }

    Uuid uuid() {
      if (end - at < 16) {
        failed = true;
        return null;
      }
      long msb = 0;
      long lsb = 0;
      for (int i = 0; i < 8; i++) {
        msb = msb << 8 | (b[at++] & 0xFF);
      }
      for (int i = 0; i < 8; i++) {
        lsb = lsb << 8 | (b[at++] & 0xFF);
      }
      return new Uuid(msb, lsb);
    }

    int remaining() {
      return end - at;
    }

    boolean failed() {
      return failed;
    }
  }
}
