package dev.odin.ws.shard.ws;

import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.json.JsonValue;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The seam between a channel's replay and its live stream, for one resuming subscription. While the
 * replay runs, live frames are held; when it ends, the replay is written, then the held and later
 * live frames minus every record the replay already covered (a partition it read, offset below that
 * partition's end). Each partition is a seam of its own: the live stream may reach it before or after
 * the replay's end, and partitions are read to different points. Confined to the session's event loop.
 */
final class Recovery {
  /** One subscribe request whose reply waits for all of its replays. */
  static final class PendingReply {
    final List<String> channels;
    final JsonValue id;
    final Map<String, Boolean> recovered = new LinkedHashMap<>();
    int outstanding;

    PendingReply(List<String> channels, JsonValue id) {
      this.channels = channels;
      this.id = id;
    }
  }

  private record Held(ChannelFrames frames, ByteBuf buffer) {}

  final PendingReply reply;
  /** A successful replay waiting for the request's other replays; owned until {@link #finish}. */
  dev.odin.ws.shard.kafka.ReplayService.Result replayed;
  private final List<Held> held = new ArrayList<>();
  private long heldBytes;
  private boolean holding = true;
  /**
   * Per partition the replay read, where it ended; a partition leaves once the live stream has passed its end, as
   * nothing later in that partition can repeat the replay. Null when no replay was written.
   */
  private Map<TopicPartition, Long> replayEnds;

  Recovery(PendingReply reply) {
    this.reply = reply;
  }

  /** Live frames of the channel; returns false when holding them would exceed {@code maxHeldBytes}. */
  boolean live(ChannelHandlerContext ctx, ChannelFrames frames, long maxHeldBytes) {
    if (holding) {
      // Ownership: the held duplicate is released when written through or discarded.
      held.add(new Held(frames, frames.frames().retainedDuplicate()));
      heldBytes += frames.frames().readableBytes();
      return heldBytes <= maxHeldBytes;
    }
    writeFiltered(ctx, frames, frames.frames());
    return true;
  }

  /**
   * Ends the hold. {@code replayed} (owned by this call) is written first when the replay succeeded;
   * after a failed one the held frames follow directly and the client knows it has a gap.
   */
  void finish(ChannelHandlerContext ctx, ChannelFrames replayed, Map<TopicPartition, Long> replayEnds) {
    holding = false;
    if (replayed != null) {
      ctx.write(replayed.frames(), ctx.voidPromise());
      this.replayEnds = new HashMap<>(replayEnds);
    }
    for (Held h : held) {
      writeFiltered(ctx, h.frames(), h.buffer());
      h.buffer().release();
    }
    held.clear();
    heldBytes = 0;
  }

  /** True once no later live frame can duplicate the replay, so the session may forget this seam. */
  boolean done() {
    return !holding && (replayEnds == null || replayEnds.isEmpty());
  }

  void discard() {
    held.forEach(h -> h.buffer().release());
    held.clear();
    if (replayed != null) {
      replayed.frames().frames().release();
      replayed = null;
    }
  }

  private void writeFiltered(ChannelHandlerContext ctx, ChannelFrames frames, ByteBuf buffer) {
    if (replayEnds == null || replayEnds.isEmpty()) {
      ctx.write(buffer.retainedDuplicate(), ctx.voidPromise());
      return;
    }
    int runStart = -1;
    for (int i = 0; i < frames.records(); i++) {
      Long end = replayEnds.get(frames.partitions()[i]);
      boolean covered = end != null && frames.offsets()[i] < end;
      if (end != null && !covered) {
        replayEnds.remove(frames.partitions()[i]); // the live stream has passed the replay in this partition
      }
      if (covered) {
        writeRun(ctx, frames, buffer, runStart, i);
        runStart = -1;
      } else if (runStart < 0) {
        runStart = i;
      }
    }
    writeRun(ctx, frames, buffer, runStart, frames.records());
  }

  private static void writeRun(ChannelHandlerContext ctx, ChannelFrames frames, ByteBuf buffer, int from, int to) {
    if (from < 0 || from >= to) {
      return;
    }
    int start = frames.frameStart(from);
    int end = frames.frameEnds()[to - 1];
    ctx.write(buffer.retainedSlice(start, end - start), ctx.voidPromise());
  }
}
