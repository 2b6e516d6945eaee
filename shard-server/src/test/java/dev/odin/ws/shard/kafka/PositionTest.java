package dev.odin.ws.shard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class PositionTest {
  @Test
  void encodedPositionParsesBackToTheSameTopicPartitionAndOffset() {
    Position position = new Position(Uuid.randomUuid(), 3, 12345L);
    assertThat(Position.parse(position.encode())).contains(position);
  }

  @Test
  void garbageNeverParsesAndNeverThrows() {
    for (String garbage : new String[] {null, "", "x", "::", "a:b:c", Uuid.randomUuid() + ":-1:5",
        Uuid.randomUuid() + ":1:-5", Uuid.randomUuid() + ":1:2:3", "../../etc/passwd", "A".repeat(100)}) {
      assertThat(Position.parse(garbage)).as(String.valueOf(garbage)).isEmpty();
    }
  }
}
