package dev.odin.ws.shard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ChannelFeedsTest {
  private static final TopicPartition A0 = new TopicPartition("a", 0);
  private static final TopicPartition A1 = new TopicPartition("a", 1);
  private static final TopicPartition B3 = new TopicPartition("b", 3);
  private final ChannelFeeds feeds = new ChannelFeeds();

  @Test
  void aKeyRoutedChannelStaysOnItsPartitionUntilARecordComesFromAnother() {
    assertThat(feeds.saw("k", A0, true).sole()).isEqualTo(A0);
    assertThat(feeds.saw("k", A0, true).sole()).isEqualTo(A0);
    ChannelFeeds.Feed spread = feeds.saw("k", A1, true);
    assertThat(spread.spread()).isTrue();
    assertThat(spread.topics()).containsExactly("a");
    assertThat(feeds.saw("k", A0, true).spread()).as("a channel never narrows").isTrue();
  }

  @Test
  void aChannelFromTheHeaderOrAKeylessTemplateIsSpreadFromItsFirstRecordAndGrowsByTopic() {
    assertThat(feeds.saw("h", A0, false).topics()).containsExactly("a");
    assertThat(feeds.saw("h", B3, false).topics()).containsExactly("a", "b");
    assertThat(feeds.saw("k", A0, true).spread()).isFalse();
    assertThat(feeds.saw("k", A0, false).spread()).as("a header naming a keyed channel spreads it").isTrue();
  }

  @Test
  void aResumeWithASpreadPositionSpreadsTheChannelOverItsTopics() {
    feeds.saw("k", A0, true);
    feeds.spreadOver("k", List.of("b"));
    assertThat(feeds.get("k").topics()).isEqualTo(Set.of("a", "b"));
    feeds.spreadOver("new", List.of("a"));
    assertThat(feeds.get("new").topics()).containsExactly("a");
  }

  @Test
  void aPositionNamingLessThanTheShardHasSeenIsWider() {
    Uuid id = Uuid.randomUuid();
    Position onA0 = new PartitionPosition(id, 0, 5);
    Position onA1 = new PartitionPosition(id, 1, 5);
    Position overA = new SpreadPosition(List.of(new Position.TopicOffsets(id, 0, new long[] {1, 1})), 0, 0);
    assertThat(feeds.widerThan("k", onA0, List.of("a"))).as("nothing known").isFalse();
    feeds.saw("k", A0, true);
    assertThat(feeds.widerThan("k", onA0, List.of("a"))).isFalse();
    assertThat(feeds.widerThan("k", onA1, List.of("a"))).as("the key comes from another partition now").isTrue();
    assertThat(feeds.widerThan("k", overA, List.of("a"))).isFalse();
    feeds.saw("k", B3, true);
    assertThat(feeds.widerThan("k", onA0, List.of("a"))).isTrue();
    assertThat(feeds.widerThan("k", overA, List.of("a"))).as("topic b is not named").isTrue();
    Position overAandB = new SpreadPosition(List.of(new Position.TopicOffsets(id, 0, new long[] {1, 1}),
        new Position.TopicOffsets(Uuid.randomUuid(), 0, new long[] {0, 0, 0, 0})), 0, 0);
    assertThat(feeds.widerThan("k", overAandB, List.of("a", "b"))).isFalse();
  }

  @Test
  void channelsNobodySubscribesToAreForgotten() {
    feeds.saw("kept", A0, true);
    feeds.saw("gone", A0, true);
    feeds.forgetUnless(channel -> channel.equals("kept"));
    assertThat(feeds.get("kept")).isNotNull();
    assertThat(feeds.get("gone")).isNull();
  }
}
