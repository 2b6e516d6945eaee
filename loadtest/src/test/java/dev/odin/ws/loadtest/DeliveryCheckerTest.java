package dev.odin.ws.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeliveryCheckerTest {
  private static final String TOPIC = "AAAAAAAAAAAAAAAAAAAAAA";
  private final LoopStats stats = new LoopStats();
  private final DeliveryChecker checker = new DeliveryChecker(
      new byte[][] {"a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8)}, stats);

  private void feed(String channel, int partition, long offset, long tsMillis, long nowMicros) {
    String json = "{\"type\":\"message\",\"channel\":\"" + channel + "\",\"position\":\"" + TOPIC + ":" + partition
        + ":" + offset + "\",\"ts\":" + tsMillis + ",\"data\":{\"ts\":1,\"position\":\"x\"}}";
    feedJson(checker, "junk" + json, 4, nowMicros);
  }

  /** Hands {@code text} from {@code start} on to {@code to}, as a frame's payload inside a larger read. */
  private static void feedJson(DeliveryChecker to, String text, int start, long nowMicros) {
    ByteBuf buf = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    to.onText(buf, start, buf.readableBytes() - start, nowMicros);
    buf.release();
  }

  private void feed(String channel, long offset) {
    feed(channel, 0, offset, 1_000, 1_000_000);
  }

  @Test
  void countsAnInOrderSequenceWithoutGaps() {
    for (long offset = 10; offset < 20; offset++) {
      feed("a", offset);
    }
    assertThat(stats.tally.messages).isEqualTo(10);
    assertThat(stats.tally.gaps).isZero();
    assertThat(stats.tally.outOfOrder).isZero();
    assertThat(stats.tally.duplicates).isZero();
  }

  @Test
  void detectsAGapAndCountsTheMissingRecords() {
    feed("a", 1);
    feed("a", 2);
    feed("a", 5);
    feed("a", 6);
    assertThat(stats.tally.gaps).isEqualTo(1);
    assertThat(stats.tally.gapRecords).isEqualTo(2);
    assertThat(stats.tally.outOfOrder).isZero();
  }

  @Test
  void detectsOutOfOrderAndDuplicates() {
    feed("a", 1);
    feed("a", 3);
    feed("a", 2);
    feed("a", 3);
    assertThat(stats.tally.gaps).isEqualTo(1);
    assertThat(stats.tally.outOfOrder).isEqualTo(1);
    assertThat(stats.tally.duplicates).isEqualTo(1);
    assertThat(stats.tally.messages).isEqualTo(4);
  }

  @Test
  void tracksChannelsAndPartitionsSeparately() {
    feed("a", 0, 100, 1_000, 1_000_000);
    feed("b", 0, 7, 1_000, 1_000_000);
    feed("a", 1, 3, 1_000, 1_000_000);
    feed("a", 0, 101, 1_000, 1_000_000);
    feed("b", 0, 8, 1_000, 1_000_000);
    feed("a", 1, 4, 1_000, 1_000_000);
    assertThat(stats.tally.gaps).isZero();
    assertThat(stats.tally.outOfOrder).isZero();
    assertThat(stats.tally.messages).isEqualTo(6);
  }

  @Test
  void recordsReceiveTimeMinusRecordTimestamp() {
    feed("a", 0, 1, 5_000, 5_250_000);
    feed("a", 0, 2, 5_000, 5_000_000 - 10);
    assertThat(stats.latencyMicros.getMaxValue()).isBetween(249_000L, 251_000L);
    assertThat(stats.latencyMicros.getTotalCount()).isEqualTo(2);
    assertThat(stats.tally.negativeLatency).isEqualTo(1);
  }

  @Test
  void classifiesOtherReplies() {
    for (String json : new String[] {"{\"type\":\"subscribed\",\"channels\":[\"a\"]}",
        "{\"type\":\"error\",\"code\":\"x\"}", "{\"type\":\"pong\",\"ts\":1}",
        "{\"type\":\"message\",\"channel\":\"a\"}"}) {
      ByteBuf buf = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
      checker.onText(buf, 0, buf.readableBytes(), 0);
      buf.release();
    }
    feed("zzz", 1);
    assertThat(stats.tally.subscribed).isEqualTo(1);
    assertThat(stats.tally.errorReplies).isEqualTo(1);
    assertThat(stats.tally.unparsed).isEqualTo(2);
    assertThat(stats.tally.unknownChannel).isEqualTo(1);
    assertThat(stats.tally.messages).isEqualTo(1);
  }

  @Test
  void aFrameWithTheSameStartButAnotherFieldOrderIsStillReadByItsFields() {
    feed("a", 0, 1, 1_000, 1_000_000);
    String reordered = "{\"type\":\"message\",\"channel\":\"a\",\"position\":\"" + TOPIC
        + ":0:2\",\"data\":{\"x\":1},\"ts\":3000}";
    ByteBuf buf = Unpooled.wrappedBuffer(reordered.getBytes(StandardCharsets.UTF_8));
    checker.onText(buf, 0, buf.readableBytes(), 5_000_000);
    buf.release();
    feed("a", 0, 4, 1_000, 1_000_000);

    assertThat(stats.tally.messages).isEqualTo(3);
    assertThat(stats.tally.gaps).isEqualTo(1);
    assertThat(stats.tally.gapRecords).isEqualTo(1);
    assertThat(stats.tally.unparsed).isZero();
    assertThat(stats.latencyMicros.getMaxValue()).isBetween(1_999_000L, 2_001_000L);
  }

  @Test
  void remembersTheWholeLastPositionOfEachChannelForAResume() {
    DeliveryChecker resuming = new DeliveryChecker(
        new byte[][] {"a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8)}, stats, true);
    for (long offset = 8; offset <= 12; offset++) {
      String json = "{\"type\":\"message\",\"channel\":\"a\",\"position\":\"" + TOPIC + ":3:" + offset
          + "\",\"ts\":1000,\"data\":null}";
      ByteBuf buf = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
      resuming.onText(buf, 0, buf.readableBytes(), 1_000_000);
      buf.release();
    }
    assertThat(resuming.lastPosition(0)).isEqualTo(TOPIC + ":3:12");
    assertThat(resuming.lastPosition(1)).isNull();
    assertThat(stats.tally.messages).isEqualTo(5);
    assertThat(stats.tally.gaps).isZero();
  }

  /** The spread position the shard writes for a record of channel a on {@code ownPartition}. */
  private static String spreadPosition(int ownPartition, long... next) {
    return new dev.odin.ws.shard.kafka.SpreadPosition.Writer().write("a".getBytes(StandardCharsets.UTF_8),
        new org.apache.kafka.common.Uuid[] {org.apache.kafka.common.Uuid.fromString(TOPIC)}, new long[][] {next}, 0,
        ownPartition);
  }

  private static String frameOfA(String position) {
    return "{\"type\":\"message\",\"channel\":\"a\",\"position\":\"" + position + "\",\"ts\":1000,\"data\":1}";
  }

  /** A frame of channel a with a spread position, as the shard writes it. */
  private void feedSpread(int ownPartition, long... next) {
    feedJson(checker, frameOfA(spreadPosition(ownPartition, next)), 0, 1_000_000);
  }

  @Test
  void checksEachPartitionOfASpreadPositionOnItsOwnAndCarriesOnFromASinglePartitionPosition() {
    feed("a", 1, 4, 1_000, 1_000_000); // before the channel was seen spread: partition 1, offset 4
    feedSpread(1, 7, 6, 0);            // partition 1, offset 5
    feedSpread(0, 7, 6, 0);            // partition 0, offset 6: its first record seen here
    feedSpread(2, 7, 6, 1);            // partition 2, offset 0
    feedSpread(1, 7, 7, 1);            // partition 1, offset 6
    assertThat(stats.tally.messages).isEqualTo(5);
    assertThat(stats.tally.unparsed).isZero();
    assertThat(stats.tally.gaps + stats.tally.duplicates + stats.tally.outOfOrder).isZero();

    feedSpread(1, 7, 9, 1);            // partition 1, offset 8: offset 7 is missing
    feedSpread(0, 7, 9, 1);            // partition 0, offset 6 again
    feedSpread(2, 7, 9, 1);            // partition 2, offset 0 again
    assertThat(stats.tally.gaps).isEqualTo(1);
    assertThat(stats.tally.gapRecords).isEqualTo(1);
    assertThat(stats.tally.duplicates).isEqualTo(2);
  }

  @Test
  void aSpreadPositionContinuesTheSequenceOfTheSinglePartitionPositionsOfItsPartition() {
    feed("a", 1, 4, 1_000, 1_000_000);
    feedSpread(1, 0, 5, 0); // partition 1, offset 4 again: the same record
    feedSpread(1, 0, 7, 0); // offset 6: offset 5 is missing
    assertThat(stats.tally.duplicates).isEqualTo(1);
    assertThat(stats.tally.gaps).isEqualTo(1);
  }

  @Test
  void remembersASpreadPositionWholeForAResume() {
    DeliveryChecker resuming = new DeliveryChecker(new byte[][] {"a".getBytes(StandardCharsets.UTF_8)}, stats, true);
    String position = spreadPosition(1, 3, 9);
    feedJson(resuming, frameOfA(position), 0, 1_000_000);
    assertThat(resuming.lastPosition(0)).isEqualTo(position);
  }
}
