package dev.odin.ws.shard.fanout;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Records of one channel, already encoded as consecutive WebSocket text frames in one buffer, so
 * each subscriber gets a single write per poll batch. Per record it keeps where the record came
 * from and where its frame ends, so a resuming subscriber can skip what its replay already sent.
 *
 * @param frames the encoded frames; owned by whoever built this (the delivery batch or a replay)
 * @param timestamps each record's Kafka timestamp, for the delivery-latency histogram
 * @param partitions each record's topic partition
 * @param offsets each record's offset
 * @param frameEnds the writer index in {@code frames} where each record's frame ends
 */
public record ChannelFrames(
    String channel,
    ByteBuf frames,
    int records,
    long[] timestamps,
    TopicPartition[] partitions,
    long[] offsets,
    int[] frameEnds) {

  public int frameStart(int record) {
    return record == 0 ? frames.readerIndex() : frameEnds[record - 1];
  }

  /** The same records over a new reference to the same bytes, for another owner. */
  public ChannelFrames retainedDuplicate() {
    return withFrames(frames.retainedDuplicate());
  }

  /** The same records over another reference to their bytes (each event loop keeps its own). */
  ChannelFrames withFrames(ByteBuf sameBytes) {
    return new ChannelFrames(channel, sameBytes, records, timestamps, partitions, offsets, frameEnds);
  }

  /** One new buffer holding the frames of {@code parts} in order, with their records; the parts keep theirs. */
  static ChannelFrames concat(List<ChannelFrames> parts) {
    int records = 0;
    int bytes = 0;
    for (ChannelFrames part : parts) {
      records += part.records;
      bytes += part.frames.readableBytes();
    }
    ByteBuf joined = PooledByteBufAllocator.DEFAULT.directBuffer(bytes);
    long[] timestamps = new long[records];
    TopicPartition[] partitions = new TopicPartition[records];
    long[] offsets = new long[records];
    int[] frameEnds = new int[records];
    int r = 0;
    for (ChannelFrames part : parts) {
      int shift = joined.writerIndex() - part.frames.readerIndex();
      joined.writeBytes(part.frames, part.frames.readerIndex(), part.frames.readableBytes());
      for (int i = 0; i < part.records; i++, r++) {
        timestamps[r] = part.timestamps[i];
        partitions[r] = part.partitions[i];
        offsets[r] = part.offsets[i];
        frameEnds[r] = part.frameEnds[i] + shift;
      }
    }
    return new ChannelFrames(parts.get(0).channel, joined, records, timestamps, partitions, offsets, frameEnds);
  }

  /** Collects one channel's frames; the caller appends a frame to {@link #frames} then calls {@link #added}. */
  public static final class Builder {
    private final String channel;
    private final ByteBuf frames = PooledByteBufAllocator.DEFAULT.directBuffer(256);
    private long[] timestamps = new long[4];
    private TopicPartition[] partitions = new TopicPartition[4];
    private long[] offsets = new long[4];
    private int[] frameEnds = new int[4];
    private int count;

    public Builder(String channel) {
      this.channel = channel;
    }

    public ByteBuf frames() {
      return frames;
    }

    public void added(TopicPartition partition, long offset, long timestamp) {
      if (count == offsets.length) {
        int size = count * 2;
        timestamps = Arrays.copyOf(timestamps, size);
        partitions = Arrays.copyOf(partitions, size);
        offsets = Arrays.copyOf(offsets, size);
        frameEnds = Arrays.copyOf(frameEnds, size);
      }
      timestamps[count] = timestamp;
      partitions[count] = partition;
      offsets[count] = offset;
      frameEnds[count] = frames.writerIndex();
      count++;
    }

    /** Hands the buffer over to the result; the builder must not be used afterwards. */
    public ChannelFrames build() {
      return new ChannelFrames(channel, frames, count, Arrays.copyOf(timestamps, count),
          Arrays.copyOf(partitions, count), Arrays.copyOf(offsets, count), Arrays.copyOf(frameEnds, count));
    }
  }
}
