package dev.odin.ws.shard.kafka;

import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Where a record sits in Kafka: the topic's id (so a re-created topic is never mistaken for the old
 * one), the partition and the offset. Clients see it as an opaque string and hand it back to resume.
 */
public record Position(Uuid topicId, int partition, long offset) {
  private static final char SEPARATOR = ':';

  public String encode() {
    return topicId.toString() + SEPARATOR + partition + SEPARATOR + offset;
  }

  /** Parses what {@link #encode()} produced; empty for anything else, never an exception. */
  public static Optional<Position> parse(String text) {
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
      return Optional.of(new Position(id, partition, offset));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
