package dev.odin.ws.loadtest;

import java.util.Base64;

/**
 * The record a shard's spread position was issued with: its topic and partition (as the hash the checker keys
 * single-partition positions by) and its offset. The load generator reads the position as a test oracle: clients
 * treat it as opaque. Its layout is the shard's {@code SpreadPosition}: base64url of a version byte, the varint index
 * of the record's partition among all listed, the varint topic count, per topic a 16-byte id, a varint partition
 * count, the first next-offset as a varint and the others as zigzag varint differences, then a 4-byte check value.
 */
record SpreadRecord(long partitionHash, long offset) {
  private static final byte VERSION = 1;
  private static final byte[] BASE64URL =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** The record of the spread position in {@code text[start, end)}, or null when it is not one. */
  static SpreadRecord of(byte[] text, int start, int end) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(java.util.Arrays.copyOfRange(text, start, end));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (bytes.length < 5 || bytes[0] != VERSION) {
      return null;
    }
    int[] at = {1};
    int limit = bytes.length - 4;
    long ownSlot = varint(bytes, at, limit);
    long topics = varint(bytes, at, limit);
    long slot = 0;
    for (int t = 0; t < topics && at[0] + 16 <= limit; t++) {
      int id = at[0];
      at[0] += 16;
      long count = varint(bytes, at, limit);
      long next = 0;
      for (int p = 0; p < count; p++) {
        long value = varint(bytes, at, limit);
        if (value < 0) {
          return null;
        }
        next = p == 0 ? value : next + ((value >>> 1) ^ -(value & 1));
        if (slot + p == ownSlot) {
          return new SpreadRecord(partitionHash(bytes, id, p), next - 1);
        }
      }
      slot += count;
    }
    return null;
  }

  /** The hash {@link DeliveryChecker} keys a single-partition position by: of {@code topicId:partition}. */
  private static long partitionHash(byte[] bytes, int id, int partition) {
    byte[] key = new byte[22 + 1 + 10];
    int n = 0;
    // Kafka writes a topic id as unpadded base64url of its 16 bytes: 22 characters.
    for (int i = 0; i < 16; i += 3) {
      int chunk = (bytes[id + i] & 0xFF) << 16 | (i + 1 < 16 ? (bytes[id + i + 1] & 0xFF) << 8 : 0)
          | (i + 2 < 16 ? bytes[id + i + 2] & 0xFF : 0);
      int chars = i + 2 < 16 ? 4 : 2;
      for (int c = 0; c < chars; c++) {
        key[n++] = BASE64URL[(chunk >> (18 - 6 * c)) & 0x3F];
      }
    }
    key[n++] = ':';
    for (byte digit : Integer.toString(partition).getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
      key[n++] = digit;
    }
    return DeliveryChecker.hash(key, 0, n);
  }

  private static long varint(byte[] b, int[] at, int limit) {
    long value = 0;
    for (int shift = 0; shift < 64 && at[0] < limit; shift += 7) {
      byte next = b[at[0]++];
      value |= (long) (next & 0x7F) << shift;
      if (next >= 0) {
        return value;
      }
    }
    return -1;
  }
}
