package dev.odin.ws.shard.fanout;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One poll batch, grouped by channel, on its way to every event loop. The last loop to finish
 * releases the frames and tells the consumer it may hand over the next batch.
 */
final class DeliveryBatch {
  private final List<ChannelFrames> channels;
  private final AtomicInteger pendingLoops;
  private final Runnable onDone;

  DeliveryBatch(List<ChannelFrames> channels, int loops, Runnable onDone) {
    this.channels = channels;
    this.pendingLoops = new AtomicInteger(loops);
    this.onDone = onDone;
  }

  List<ChannelFrames> channels() {
    return channels;
  }

  void loopDone() {
    if (pendingLoops.decrementAndGet() == 0) {
      // Ownership: the batch held the only reference to each buffer; loops took retained duplicates.
      for (ChannelFrames frames : channels) {
        frames.frames().release();
      }
      onDone.run();
    }
  }
}
