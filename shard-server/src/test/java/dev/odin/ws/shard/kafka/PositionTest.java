package dev.odin.ws.shard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class PositionTest {
  private static final Uuid TOPIC = Uuid.randomUuid();
  private static final Uuid OTHER_TOPIC = Uuid.randomUuid();

  /** Six partitions read at similar rates, as a publisher spread over them leaves them, and a second topic. */
  private static SpreadPosition spread() {
    return new SpreadPosition(List.of(
        new Position.TopicOffsets(TOPIC, 0, new long[] {1_000_123, 1_000_480, 999_871, 1_000_002, 1_001_260, 1_000_000}),
        new Position.TopicOffsets(OTHER_TOPIC, 0, new long[] {0, 17})), 0, 4);
  }

  @Test
  void encodedPartitionPositionParsesBackToTheSameTopicPartitionAndOffset() {
    PartitionPosition position = new PartitionPosition(Uuid.randomUuid(), 3, 12345L);
    assertThat(PartitionPosition.parse(position.encode())).contains(position);
    assertThat(Position.parse("any channel", position.encode())).contains(position);
    assertThat(position.encode()).as("the form single-partition channels have always had")
        .isEqualTo(position.topicId() + ":3:12345");
  }

  @Test
  void garbageNeverParsesAndNeverThrows() {
    for (String garbage : new String[] {null, "", "x", "::", "a:b:c", Uuid.randomUuid() + ":-1:5",
        Uuid.randomUuid() + ":1:-5", Uuid.randomUuid() + ":1:2:3", "../../etc/passwd", "A".repeat(100), "AQ", "AQAA",
        "~~~~", "A".repeat(Position.MAX_TEXT_LENGTH + 1)}) {
      assertThat(Position.parse("c", garbage)).as(String.valueOf(garbage)).isEmpty();
    }
  }

  @Test
  void aSpreadPositionDecodesToEveryPartitionsOffsetAndItsOwnRecord() {
    SpreadPosition position = spread();
    String text = position.encode("BTC.trades");
    Position parsed = Position.parse("BTC.trades", text).orElseThrow();

    assertThat(parsed).isInstanceOf(SpreadPosition.class);
    assertThat(parsed.wholeTopics()).isTrue();
    assertThat(parsed.topics()).hasSize(2);
    for (int t = 0; t < 2; t++) {
      assertThat(parsed.topics().get(t).topicId()).isEqualTo(position.topics().get(t).topicId());
      assertThat(parsed.topics().get(t).next()).containsExactly(position.topics().get(t).next());
    }
    assertThat(parsed.ownTopic()).isZero();
    assertThat(parsed.ownPartition()).isEqualTo(4);
    assertThat(parsed.ownOffset()).isEqualTo(1_001_259);
    assertThat(parsed.encode("BTC.trades")).isEqualTo(text);
    assertThat(text).as("base64url: no character a JSON string must escape, none a URL must encode, no ':'")
        .matches("[A-Za-z0-9_-]+");
  }

  @Test
  void aSpreadPositionOfAnotherChannelIsRefused() {
    String text = spread().encode("BTC.trades");
    assertThat(Position.parse("ETH.trades", text)).isEmpty();
    assertThat(Position.parse("BTC.trades ", text)).isEmpty();
  }

  @Test
  void everyChangedOrMissingCharacterOfASpreadPositionIsRefused() {
    String text = spread().encode("c");
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < text.length(); i++) {
      for (char c : alphabet.toCharArray()) {
        if (c != text.charAt(i)) {
          String changed = text.substring(0, i) + c + text.substring(i + 1);
          assertThat(Position.parse("c", changed)).as("character %d changed to %s", i, c).isEmpty();
        }
      }
      assertThat(Position.parse("c", text.substring(0, i))).as("cut after %d characters", i).isEmpty();
    }
  }

  @Test
  void aSpreadPositionWithoutARecordOfTheChannelBehindItIsRefused() {
    // Its own partition says nothing was read from it: no record of the channel can have been delivered with it.
    String forged = new SpreadPosition.Writer().write("c".getBytes(StandardCharsets.UTF_8), new Uuid[] {TOPIC},
        new long[][] {{5, 0, 7}}, 0, 1);
    assertThat(Position.parse("c", forged)).isEmpty();
    String genuine = new SpreadPosition.Writer().write("c".getBytes(StandardCharsets.UTF_8), new Uuid[] {TOPIC},
        new long[][] {{5, 1, 7}}, 0, 1);
    assertThat(Position.parse("c", genuine)).isPresent();
  }

  @Test
  void aSixPartitionPositionStaysShort() {
    SpreadPosition six = new SpreadPosition(List.of(spread().topics().get(0)), 0, 2);
    // 1 version + 1 own + 1 count + 16 id + 1 partitions + 3 first offset + 5 differences of 2 bytes + 4 check
    // = 37 bytes, 50 base64url characters.
    assertThat(six.encode("c")).hasSize(50);
  }
}
