package dev.odin.ws.shard.kafka;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Where a client stands in a channel, as the {@code position} of a data frame says: for every partition the channel
 * comes from, the offset from which the client has not seen the channel's records. Clients see it as an opaque
 * string and hand it back in {@code since}; any shard can then replay what they missed.
 *
 * <p>Two forms. A channel whose records all come from one partition (a channel per record key, the default) gets
 * the record's own {@link PartitionPosition}. A channel spread over partitions (a {@code {topic}} template, the
 * {@code ws-channel} header, a key on several partitions) gets a {@link SpreadPosition} naming every partition of
 * each topic it comes from.
 */
public sealed interface Position permits PartitionPosition, SpreadPosition {
  /** Longest position text accepted: a spread position over a few thousand partitions. */
  int MAX_TEXT_LENGTH = 65_536;

  /** The partitions a topic contributes, from {@code firstPartition} on, and the next offset to read in each. */
  record TopicOffsets(Uuid topicId, int firstPartition, long[] next) {
    public int partitions() {
      return next.length;
    }
  }

  /** The topics named, each with the offset to read from per listed partition. */
  List<TopicOffsets> topics();

  /**
   * True when every partition the named topics had is listed, so a partition beyond the list was created later and
   * is read from its start; false when only the listed partition feeds the channel.
   */
  boolean wholeTopics();

  /** Index in {@link #topics()} of the topic of the record this position was issued with. */
  int ownTopic();

  /** The partition of the record this position was issued with (a record of the channel). */
  int ownPartition();

  /** The offset of the record this position was issued with. */
  long ownOffset();

  /** The text a client holds; the same for every subscriber of the record. */
  String encode(String channel);

  /** Parses what a shard issued for {@code channel}; empty for anything else, never an exception. */
  static Optional<Position> parse(String channel, String text) {
    if (text == null || text.length() > MAX_TEXT_LENGTH) {
      return Optional.empty();
    }
    if (text.indexOf(':') >= 0) {
      return PartitionPosition.parse(text).map(Position.class::cast);
    }
    return SpreadPosition.decode(channel, text).map(Position.class::cast);
  }
}
