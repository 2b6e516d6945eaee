package dev.odin.ws.shard.kafka;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the live consumer has read each partition of the fan-out topics: per partition, the offset after the last
 * record handed out. Every record of a channel below it has gone to the channel's subscribers (or was read before
 * they subscribed), which is what a spread position says for the partitions other than its record's. Consumer
 * thread only; the arrays are replaced only on a rebalance, between batches.
 */
final class ConsumerProgress {
  /** Nothing read from the partition since it was assigned. */
  static final long UNKNOWN = -1;

  private final Map<String, long[]> nextByTopic = new HashMap<>();

  /** Partitions (newly) assigned: their progress is unknown until read, wherever the consumer resumes them. */
  void assigned(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      grow(partition)[partition.partition()] = UNKNOWN;
    }
  }

  /** The topic's progress by partition, indexed by partition number; null when none of it is assigned. */
  long[] of(String topic) {
    return nextByTopic.get(topic);
  }

  /** Before a batch is encoded: a partition read for the first time starts at the batch's first record of it. */
  void startBatch(ConsumerRecords<?, ?> records) {
    for (TopicPartition partition : records.partitions()) {
      long[] next = grow(partition);
      if (next[partition.partition()] == UNKNOWN) {
        next[partition.partition()] = records.records(partition).get(0).offset();
      }
    }
  }

  /**
   * Fills in the partitions of {@code topic} nothing has been read from yet with the consumer's position (nothing
   * below it was handed out), or 0 when the consumer cannot say: 0 claims nothing, so it is never wrong.
   */
  void resolve(String topic, ToLongFunction<TopicPartition> position) {
    long[] next = nextByTopic.get(topic);
    for (int p = 0; next != null && p < next.length; p++) {
      if (next[p] == UNKNOWN) {
        long at;
        try {
          at = position.applyAsLong(new TopicPartition(topic, p));
        } catch (RuntimeException notAssignedOrTimedOut) {
          at = 0;
        }
        next[p] = Math.max(0, at);
      }
    }
  }

  private long[] grow(TopicPartition partition) {
    long[] next = nextByTopic.get(partition.topic());
    if (next == null || next.length <= partition.partition()) {
      int from = next == null ? 0 : next.length;
      next = next == null ? new long[partition.partition() + 1] : Arrays.copyOf(next, partition.partition() + 1);
      Arrays.fill(next, from, next.length, UNKNOWN);
      nextByTopic.put(partition.topic(), next);
    }
    return next;
  }
}
