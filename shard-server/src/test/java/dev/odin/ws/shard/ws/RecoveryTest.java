package dev.odin.ws.shard.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.kafka.FrameEncoder;
import dev.odin.ws.shard.testing.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The seam of a resume over several partitions, each with its own replay end, on an EmbeddedChannel. */
class RecoveryTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);
  private static final TopicPartition P2 = new TopicPartition("t", 2);

  private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
  private final ChannelHandlerContext ctx = channel.pipeline().firstContext();
  private final FrameEncoder encoder = new FrameEncoder();

  /** Frames of channel c for (partition, offset) pairs, each record's data naming its partition and offset. */
  private ChannelFrames frames(Object... partitionsAndOffsets) {
    ChannelFrames.Builder out = new ChannelFrames.Builder("c");
    for (int i = 0; i < partitionsAndOffsets.length; i += 2) {
      TopicPartition partition = (TopicPartition) partitionsAndOffsets[i];
      long offset = (Long) partitionsAndOffsets[i + 1];
      String data = "\"" + partition.partition() + ":" + offset + "\"";
      encoder.appendFrame(out.frames(), "c", "pos", 0, data.getBytes(StandardCharsets.UTF_8));
      out.added(partition, offset, 0);
    }
    return out.build();
  }

  /** Every record written so far, as "partition:offset", in order. */
  private List<String> written() {
    List<String> records = new ArrayList<>();
    for (ByteBuf bytes = channel.readOutbound(); bytes != null; bytes = channel.readOutbound()) {
      try {
        Frames.read(bytes).forEach(m -> records.add(m.path("data").asText()));
      } finally {
        bytes.release();
      }
    }
    return records;
  }

  /** Live frames go through the recovery as a session hands them over, and are released as the fan-out does. */
  private void live(Recovery recovery, ChannelFrames frames) {
    assertThat(recovery.live(ctx, frames, Long.MAX_VALUE)).isTrue();
    frames.frames().release();
  }

  @Test
  void eachPartitionJoinsItsLiveStreamAtItsOwnReplayEndWithNoGapAndNoDuplicate() {
    Recovery recovery = new Recovery(new Recovery.PendingReply(List.of("c"), null));
    // Held while the replay runs: the live consumer is behind the replay's end on p0, at it on p1.
    live(recovery, frames(P0, 10L, P1, 20L, P0, 11L, P1, 21L));
    assertThat(written()).as("nothing before the replay").isEmpty();

    recovery.finish(ctx, frames(P0, 9L, P1, 19L, P0, 10L, P0, 11L, P1, 20L), Map.of(P0, 12L, P1, 21L, P2, 7L));
    channel.flush();
    assertThat(written()).containsExactly("0:9", "1:19", "0:10", "0:11", "1:20", "1:21");
    assertThat(recovery.done()).as("p0 and p2 have not been passed by the live stream yet").isFalse();

    live(recovery, frames(P1, 22L, P0, 12L));
    channel.flush();
    assertThat(written()).containsExactly("1:22", "0:12");
    assertThat(recovery.done()).as("p2 has no live record of the channel yet").isFalse();

    live(recovery, frames(P2, 6L, P2, 7L, P0, 13L));
    channel.flush();
    assertThat(written()).as("p2's offset 6 came with the replay").containsExactly("2:7", "0:13");
    assertThat(recovery.done()).isTrue();
    assertFalse(channel.finish());
  }

  @Test
  void afterAFailedReplayTheHeldFramesFollowWhole() {
    Recovery recovery = new Recovery(new Recovery.PendingReply(List.of("c"), null));
    live(recovery, frames(P0, 10L, P1, 20L));
    recovery.finish(ctx, null, null);
    channel.flush();
    assertThat(written()).containsExactly("0:10", "1:20");
    assertThat(recovery.done()).isTrue();
    assertFalse(channel.finish());
  }
}
