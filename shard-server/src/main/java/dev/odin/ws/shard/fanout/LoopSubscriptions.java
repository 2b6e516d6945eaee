package dev.odin.ws.shard.fanout;

import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The channels of one event loop and their rollouts. Only that loop reads or writes them, so delivery takes
 * no lock. Deliveries run in slices of a bounded number of visits; between slices the loop serves its
 * sockets (pongs, subscribes, new connections) and takes in newly arrived records.
 */
final class LoopSubscriptions implements ChannelRollout.Pass {
  /** Visits per slice: a few milliseconds of writes at most, so the loop's sockets are not kept waiting. */
  static final int VISITS_PER_SLICE = 512;

  private final Map<String, ChannelRollout> byChannel = new HashMap<>();
  private final ArrayDeque<ChannelRollout> withWork = new ArrayDeque<>();
  private final List<Subscriber> written = new ArrayList<>();
  private final EventExecutor loop;
  private final ShardMetrics metrics;
  private final LongConsumer releasedBytes;
  private final Runnable slice = this::runSlice;
  private boolean sliceScheduled;
  private long delivered;
  private long dropped;
  private long released;

  LoopSubscriptions(EventExecutor loop, ShardMetrics metrics, LongConsumer releasedBytes) {
    this.loop = loop;
    this.metrics = metrics;
    this.releasedBytes = releasedBytes;
  }

  /** The loop's own instance of the channel name when added, null when already subscribed. */
  String add(String channel, Subscriber subscriber) {
    ChannelRollout rollout = byChannel.computeIfAbsent(channel, ChannelRollout::new);
    return rollout.add(subscriber) ? rollout.channel() : null;
  }

  boolean remove(String channel, Subscriber subscriber) {
    ChannelRollout rollout = byChannel.get(channel);
    if (rollout == null || !rollout.remove(subscriber)) {
      return false;
    }
    if (rollout.size() == 0) {
      byChannel.remove(channel);
      if (rollout.queued) {
        withWork.remove(rollout);
        rollout.queued = false;
      }
      rollout.close(this);
      reportReleased();
    }
    return true;
  }

  /** On this loop: takes ownership of the frames, one per channel, and starts delivering them. */
  void append(List<ChannelFrames> channels) {
    for (ChannelFrames frames : channels) {
      long bytes = frames.frames().readableBytes();
      ChannelRollout rollout = byChannel.get(frames.channel());
      if (rollout == null) {
        frames.frames().release();
        released += bytes;
        continue;
      }
      rollout.append(frames, bytes);
      if (!rollout.queued) {
        rollout.queued = true;
        withWork.add(rollout);
      }
    }
    reportReleased();
    if (!sliceScheduled && !withWork.isEmpty()) {
      runSlice();
    }
  }

  private void runSlice() {
    sliceScheduled = false;
    try {
      int budget = VISITS_PER_SLICE;
      while (budget > 0 && !withWork.isEmpty()) {
        ChannelRollout rollout = withWork.peek();
        budget -= rollout.visit(budget, this);
        if (rollout.idle()) {
          // Its last subscriber may have left during the visit, which already took it off the queue.
          if (withWork.peek() == rollout) {
            withWork.poll();
          }
          rollout.queued = false;
        }
      }
      if (withWork.size() > 1) {
        withWork.add(withWork.poll()); // the channel cut short goes last: channels take turns
      }
      for (int i = 0, n = written.size(); i < n; i++) {
        written.get(i).flush();
      }
    } finally {
      written.clear();
      if (delivered > 0) {
        metrics.delivered(delivered);
        delivered = 0;
      }
      if (dropped > 0) {
        metrics.dropped("slow_client", dropped);
        dropped = 0;
      }
      reportReleased();
      if (!withWork.isEmpty()) {
        scheduleSlice();
      }
    }
  }

  /** Scheduled rather than queued: the loop polls its sockets before it runs the next slice. */
  private void scheduleSlice() {
    try {
      loop.schedule(slice, 0, TimeUnit.NANOSECONDS);
      sliceScheduled = true;
    } catch (RejectedExecutionException shuttingDown) {
      // The loop is closing its channels; each rollout releases its log when its last subscriber leaves.
    }
  }

  private void reportReleased() {
    if (released > 0) {
      releasedBytes.accept(released);
      released = 0;
    }
  }

  @Override
  public void written(Subscriber subscriber) {
    if (subscriber.markForFlush()) {
      written.add(subscriber);
    }
  }

  @Override
  public void delivered(int records) {
    delivered += records;
  }

  @Override
  public void dropped(int records) {
    dropped += records;
  }

  @Override
  public void completed(ChannelFrames frames) {
    long now = System.currentTimeMillis();
    for (long timestamp : frames.timestamps()) {
      metrics.deliveryLatencyMillis(now - timestamp);
    }
  }

  @Override
  public void released(long bytes) {
    released += bytes;
  }
}
