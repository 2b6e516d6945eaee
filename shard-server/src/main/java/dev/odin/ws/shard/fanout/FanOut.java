package dev.odin.ws.shard.fanout;

import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands each poll batch to every event loop once; each loop writes it to its own subscribers. The
 * only shared structure is {@code interest} (channel → subscriber count), which lets the consumer
 * skip encoding records nobody on this shard wants.
 */
public final class FanOut {
  /**
   * Batches handed to the loops but not yet written; beyond this the consumer waits (backpressure). One: while
   * the loops write a batch, the records that arrive gather into the next one, so a busy shard writes fewer,
   * larger buffers (throughput) and a record waits behind at most one pass over the subscribers (latency).
   * Several small batches queued behind each other would cost a full pass each.
   */
  private static final int MAX_BATCHES_IN_FLIGHT = 1;

  private final Map<EventExecutor, LoopSubscriptions> loops = new IdentityHashMap<>();
  private final List<Map.Entry<EventExecutor, LoopSubscriptions>> loopList = new ArrayList<>();
  private final Map<String, Integer> interest = new ConcurrentHashMap<>();
  private final AtomicLong subscriptions = new AtomicLong();
  private final Semaphore inFlight = new Semaphore(MAX_BATCHES_IN_FLIGHT);

  /** {@code loops}: every event loop that may own a client channel. */
  public FanOut(Iterable<? extends EventExecutor> loops, ShardMetrics metrics) {
    for (EventExecutor executor : loops) {
      LoopSubscriptions subs = new LoopSubscriptions(metrics);
      this.loops.put(executor, subs);
      loopList.add(Map.entry(executor, subs));
    }
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
   * Gives a batch to every loop and returns once it is queued; blocks while {@value
   * #MAX_BATCHES_IN_FLIGHT} earlier batches are still being written. Takes ownership of the frames.
   *
   * @return false when interrupted before the batch could be handed over (the frames are released)
   */
  public boolean deliver(List<ChannelFrames> channels) {
    if (channels.isEmpty()) {
      return true;
    }
    try {
      while (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channels.forEach(c -> c.frames().release());
      return false;
    }
    DeliveryBatch batch = new DeliveryBatch(channels, loopList.size(), inFlight::release);
    for (Map.Entry<EventExecutor, LoopSubscriptions> loop : loopList) {
      LoopSubscriptions subs = loop.getValue();
      try {
        loop.getKey().execute(() -> subs.deliver(batch));
      } catch (RuntimeException rejected) {
        // The loop is shutting down; count it done so the frames are still released.
        batch.loopDone();
      }
    }
    return true;
  }
}
