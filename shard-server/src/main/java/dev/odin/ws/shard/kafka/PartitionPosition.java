package dev.odin.ws.shard.kafka;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * The position of a channel fed from one partition: the record's own place, {@code topicId:partition:offset}. The
 * topic's id (not its name) makes a re-created topic a different one. Resuming reads that partition after the offset.
 */
public record PartitionPosition(Uuid topicId, int partition, long offset) implements Position {
  private static final char SEPARATOR = ':';

  /** The text of the position of a record; the live consumer's path, so nothing is allocated but the text. */
  public static String encode(Uuid topicId, int partition, long offset) {
    return topicId.toString() + SEPARATOR + partition + SEPARATOR + offset;
  }

  public String encode() {
    return encode(topicId, partition, offset);
  }

  /** The channel plays no part: this form carries no check value (it predates the spread form, and stays as it was). */
  @Override
  public String encode(String channel) {
    return encode();
  }

  @Override
  public List<TopicOffsets> topics() {
    return List.of(new TopicOffsets(topicId, partition, new long[] {offset + 1}));
  }

  @Override
  public boolean wholeTopics() {
    return false;
  }

  @Override
  public int ownTopic() {
    return 0;
  }

  @Override
  public int ownPartition() {
    return partition;
  }

  @Override
  public long ownOffset() {
    return offset;
  }

  /** Parses what {@link #encode()} produced; empty for anything else, never an exception. */
  public static Optional<PartitionPosition> parse(String text) {
    if (text == null || text.length() > 64) {
      return Optional.empty();
    }
    int first = text.indexOf(SEPARATOR);
    int second = first < 0 ? -1 : text.indexOf(SEPARATOR, first + 1);
    if (first <= 0 || second < 0 || text.indexOf(SEPARATOR, second + 1) >= 0) {
      return Optional.empty();
    }
    try {
      Uuid id = Uuid.fromString(text.substring(0, first));
      int partition = Integer.parseInt(text.substring(first + 1, second));
      long offset = Long.parseLong(text.substring(second + 1));
      if (partition < 0 || offset < 0) {
        return Optional.empty();
      }
      return Optional.of(new PartitionPosition(id, partition, offset));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
