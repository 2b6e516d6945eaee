package dev.odin.ws.operator.model;

import dev.odin.ws.api.KafkaSpec;
import dev.odin.ws.api.TopicSpec;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.function.Consumer;

/** A static WsCluster fixture and edited copies of it, for the model tests. */
final class Fixtures {
  static final WsCluster CLUSTER = build();

  private Fixtures() {}

  private static WsCluster build() {
    WsCluster cr = new WsCluster();
    cr.getMetadata().setName("prices");
    cr.getMetadata().setNamespace("trading");
    cr.getMetadata().setUid("0b5b6c38-6c1e-4d5f-9a8e-2f2b1a7d9c11");
    cr.getMetadata().setGeneration(4L);
    WsClusterSpec spec = new WsClusterSpec();
    spec.setShards(3);
    KafkaSpec kafka = new KafkaSpec();
    kafka.setBootstrapServers("kafka:9092");
    kafka.setTopics(List.of(new TopicSpec("prices", null), new TopicSpec("trades", "{key}.trade")));
    spec.setKafka(kafka);
    cr.setSpec(spec);
    return cr;
  }

  /** A deep copy of the fixture with {@code edit} applied. */
  static WsCluster edit(Consumer<WsCluster> edit) {
    WsCluster copy = Serialization.clone(CLUSTER);
    edit.accept(copy);
    return copy;
  }
}
