package dev.odin.ws.shard.kafka;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;

/** The current id of each fan-out topic: written by the live consumer, read by the replay reader. */
public final class TopicIds {
  private final Map<String, Uuid> idByName = new ConcurrentHashMap<>();

  void put(String topic, Uuid id) {
    idByName.put(topic, id);
  }

  public Uuid idOf(String topic) {
    return idByName.get(topic);
  }

  /** The topic that has this id now; empty when the id is unknown (deleted or re-created topic). */
  public Optional<String> topicOf(Uuid id) {
    return idByName.entrySet().stream().filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).findFirst();
  }
}
