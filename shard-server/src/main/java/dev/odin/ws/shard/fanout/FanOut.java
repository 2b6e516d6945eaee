package dev.odin.ws.shard.fanout;

import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands each poll batch to every event loop; each loop rolls it out to its own subscribers (see {@link
 * ChannelRollout}). The only shared structures are {@code interest} (channel → subscriber count), which lets
 * the consumer skip encoding records nobody on this shard wants, and the count of bytes the loops still hold.
 */
public final class FanOut {
  /**
   * Bytes of frames the loops may hold, per loop, before the consumer waits (backpressure): a loop that cannot
   * keep up holds the consumer back, and Kafka keeps the rest, rather than this process's memory.
   */
  static final long MAX_HELD_BYTES_PER_LOOP = 16L << 20;

  private final Map<EventExecutor, LoopSubscriptions> loops = new IdentityHashMap<>();
  private final List<Map.Entry<EventExecutor, LoopSubscriptions>> loopList = new ArrayList<>();
  private final Map<String, Integer> interest = new ConcurrentHashMap<>();
  private final AtomicLong subscriptions = new AtomicLong();
  private final AtomicLong heldBytes = new AtomicLong();
  private final Object room = new Object();
  private final long maxHeldBytes;

  /** {@code loops}: every event loop that may own a client channel. */
  public FanOut(Iterable<? extends EventExecutor> loops, ShardMetrics metrics) {
    for (EventExecutor executor : loops) {
      LoopSubscriptions subs = new LoopSubscriptions(executor, metrics, this::released);
      this.loops.put(executor, subs);
      loopList.add(Map.entry(executor, subs));
    }
    maxHeldBytes = MAX_HELD_BYTES_PER_LOOP * Math.max(1, loopList.size());
  }

  /**
   * Called on {@code loop}, the subscriber's own event loop. Returns the loop's shared instance of the
   * channel name (for the subscriber to keep instead of its own copy), or null when already subscribed.
   */
  public String subscribe(EventExecutor loop, String channel, Subscriber subscriber) {
    String canonical = loops.get(loop).add(channel, subscriber);
    if (canonical == null) {
      return null;
    }
    interest.merge(canonical, 1, Integer::sum);
    subscriptions.incrementAndGet();
    return canonical;
  }

  /** Called on {@code loop}, the subscriber's own event loop. */
  public boolean unsubscribe(EventExecutor loop, String channel, Subscriber subscriber) {
    if (!loops.get(loop).remove(channel, subscriber)) {
      return false;
    }
    interest.computeIfPresent(channel, (c, n) -> n == 1 ? null : n - 1);
    subscriptions.decrementAndGet();
    return true;
  }

  public boolean hasSubscribers(String channel) {
    return interest.containsKey(channel);
  }

  public long subscriptions() {
    return subscriptions.get();
  }

  /**
   * Gives a batch to every loop and returns once it is queued; blocks while the loops hold more than their
   * share of bytes not yet given to every subscriber. Takes ownership of the frames.
   *
   * @return false when interrupted before the batch could be handed over (the frames are released)
   */
  public boolean deliver(List<ChannelFrames> channels) {
    if (channels.isEmpty()) {
      return true;
    }
    try {
      awaitRoom();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channels.forEach(c -> c.frames().release());
      return false;
    }
    long bytes = 0;
    for (ChannelFrames frames : channels) {
      bytes += frames.frames().readableBytes();
    }
    for (Map.Entry<EventExecutor, LoopSubscriptions> loop : loopList) {
      LoopSubscriptions subs = loop.getValue();
      List<ChannelFrames> own = new ArrayList<>(channels.size());
      for (ChannelFrames frames : channels) {
        own.add(frames.withFrames(frames.frames().retainedDuplicate()));
      }
      heldBytes.addAndGet(bytes);
      try {
        loop.getKey().execute(() -> subs.append(own));
      } catch (RuntimeException rejected) {
        // The loop is shutting down and takes no more work.
        own.forEach(c -> c.frames().release());
        released(bytes);
      }
    }
    channels.forEach(c -> c.frames().release());
    return true;
  }

  private void awaitRoom() throws InterruptedException {
    if (heldBytes.get() <= maxHeldBytes) {
      return;
    }
    synchronized (room) {
      while (heldBytes.get() > maxHeldBytes) {
        room.wait(100);
      }
    }
  }

  private void released(long bytes) {
    long after = heldBytes.addAndGet(-bytes);
    if (after <= maxHeldBytes && after + bytes > maxHeldBytes) {
      synchronized (room) {
        room.notifyAll();
      }
    }
  }
}
