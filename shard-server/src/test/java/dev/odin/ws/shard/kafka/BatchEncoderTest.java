package dev.odin.ws.shard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.ws.shard.config.TopicRoute;
import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.metrics.ShardMetrics;
import dev.odin.ws.shard.testing.Frames;
import dev.odin.ws.shard.testing.IdleSubscriber;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The positions the live consumer gives each record of a batch, with no broker: batches are built by hand. */
class BatchEncoderTest {
  private static final Uuid SPREAD_ID = Uuid.randomUuid();
  private static final Uuid KEYED_ID = Uuid.randomUuid();
  /** Where the consumer stands in partition 2 of topic "wide", which no batch here has records of. */
  private static final long UNREAD_PARTITION_POSITION = 40;

  private final EmbeddedChannel loop = new EmbeddedChannel();
  private final ShardMetrics metrics = new ShardMetrics("test", 0);
  private final FanOut fanOut = new FanOut(List.of(loop.eventLoop()), metrics);
  private final ConsumerProgress progress = new ConsumerProgress();
  private final BatchEncoder encoder;

  BatchEncoderTest() {
    TopicIds ids = new TopicIds();
    ids.put("wide", SPREAD_ID);
    ids.put("keyed", KEYED_ID);
    encoder = new BatchEncoder(Map.of("wide", new TopicRoute("wide", "{topic}"), "keyed", new TopicRoute("keyed", "{key}")),
        ids, fanOut, new ChannelFeeds(), progress, metrics);
    progress.assigned(List.of(new TopicPartition("wide", 0), new TopicPartition("wide", 1),
        new TopicPartition("wide", 2), new TopicPartition("keyed", 0), new TopicPartition("keyed", 1)));
    for (String channel : new String[] {"wide", "k"}) {
      fanOut.subscribe(loop.eventLoop(), channel, new IdleSubscriber());
    }
  }

  @AfterEach
  void close() {
    loop.finishAndReleaseAll();
  }

  /** One batch: {@code partitionsAndOffsets} is topic, partition, offset, ... in the order the batch holds them. */
  private List<ChannelFrames> batch(Object... recordsInOrder) {
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new LinkedHashMap<>();
    for (int i = 0; i < recordsInOrder.length; i += 3) {
      String topic = (String) recordsInOrder[i];
      int partition = (Integer) recordsInOrder[i + 1];
      long offset = (Long) recordsInOrder[i + 2];
      byPartition.computeIfAbsent(new TopicPartition(topic, partition), p -> new ArrayList<>())
          .add(new ConsumerRecord<>(topic, partition, offset, "k".getBytes(), ("\"" + offset + "\"").getBytes()));
    }
    return encoder.encode(new ConsumerRecords<>(byPartition, Map.of()), p -> UNREAD_PARTITION_POSITION);
  }

  /** Each frame's position, in order, for one channel of a batch; the batch's buffers are released. */
  private static List<String> positions(List<ChannelFrames> batch, String channel) {
    List<String> positions = new ArrayList<>();
    for (ChannelFrames frames : batch) {
      if (frames.channel().equals(channel)) {
        Frames.read(frames.frames()).forEach(m -> positions.add(m.path("position").asText()));
      }
      frames.frames().release();
    }
    return positions;
  }

  /** The next offset per partition of topic "wide" a spread position says, and its own partition. */
  private static String horizons(String position) {
    Position parsed = Position.parse("wide", position).orElseThrow();
    assertThat(parsed.topics()).hasSize(1);
    assertThat(parsed.topics().get(0).topicId()).isEqualTo(SPREAD_ID);
    long[] next = parsed.topics().get(0).next();
    StringBuilder out = new StringBuilder("p" + parsed.ownPartition() + ":");
    for (long n : next) {
      out.append(' ').append(n);
    }
    return out.toString();
  }

  @Test
  void aSpreadRecordsPositionHasTheBatchReadUpToItAndTheRestWhereThePreviousBatchLeftThem() {
    // Partition 1's first record here is offset 5: nothing of it was read before, so it stands at 5.
    List<String> first = positions(batch("wide", 0, 0L, "wide", 0, 1L, "wide", 1, 5L), "wide");
    assertThat(first).extracting(BatchEncoderTest::horizons).containsExactly(
        "p0: 1 5 40",  // partition 1's record of this batch comes after this frame; partition 2 was never read
        "p0: 2 5 40",
        "p1: 2 6 40");
    List<String> second = positions(batch("wide", 1, 6L, "wide", 1, 7L, "wide", 0, 2L), "wide");
    assertThat(second).extracting(BatchEncoderTest::horizons).containsExactly("p1: 2 7 40", "p1: 2 8 40", "p0: 3 8 40");
  }

  @Test
  void aKeyedChannelKeepsTheSinglePartitionFormUntilItsKeyComesFromASecondPartition() {
    List<String> single = positions(batch("keyed", 0, 3L, "keyed", 0, 4L), "k");
    assertThat(single).containsExactly(KEYED_ID + ":0:3", KEYED_ID + ":0:4");
    // A batch holds a partition's records together: partition 0's two records come before partition 1's.
    List<String> moved = positions(batch("keyed", 0, 5L, "keyed", 1, 0L, "keyed", 0, 6L), "k");
    assertThat(moved.subList(0, 2)).containsExactly(KEYED_ID + ":0:5", KEYED_ID + ":0:6");
    Position spread = Position.parse("k", moved.get(2)).orElseThrow();
    assertThat(spread).isInstanceOf(SpreadPosition.class);
    assertThat(spread.topics().get(0).next()).containsExactly(7, 1);
    assertThat(spread.ownPartition()).isEqualTo(1);
    List<String> after = positions(batch("keyed", 0, 7L), "k");
    assertThat(Position.parse("k", after.get(0)).orElseThrow().topics().get(0).next())
        .as("from then on, partition 0's records too").containsExactly(8, 1);
  }
}
