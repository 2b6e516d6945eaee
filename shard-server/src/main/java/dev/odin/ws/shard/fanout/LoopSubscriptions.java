package dev.odin.ws.shard.fanout;

import dev.odin.ws.shard.metrics.ShardMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The channel → subscribers index of one event loop. Only that loop reads or writes it, so delivery
 * takes no lock and allocates nothing per subscriber beyond the buffer duplicate Netty recycles.
 */
final class LoopSubscriptions {
  private final Map<String, SubscriberList> byChannel = new HashMap<>();
  private final List<Subscriber> written = new ArrayList<>();
  private final ShardMetrics metrics;

  LoopSubscriptions(ShardMetrics metrics) {
    this.metrics = metrics;
  }

  /** The loop's own instance of the channel name when added, null when already subscribed. */
  String add(String channel, Subscriber subscriber) {
    SubscriberList list = byChannel.computeIfAbsent(channel, SubscriberList::new);
    return list.add(subscriber) ? list.channel() : null;
  }

  boolean remove(String channel, Subscriber subscriber) {
    SubscriberList list = byChannel.get(channel);
    if (list == null || !list.remove(subscriber)) {
      return false;
    }
    if (list.size() == 0) {
      byChannel.remove(channel);
    }
    return true;
  }

  void deliver(DeliveryBatch batch) {
    long delivered = 0;
    long dropped = 0;
    try {
      for (ChannelFrames frames : batch.channels()) {
        SubscriberList subscribers = byChannel.get(frames.channel());
        if (subscribers == null) {
          continue;
        }
        // Backwards: a subscriber closed here removes itself by swapping in the last, already-visited, entry.
        for (int i = subscribers.size() - 1; i >= 0; i--) {
          Subscriber subscriber = subscribers.get(i);
          if (!subscriber.isWritable()) {
            dropped += frames.records();
            subscriber.fellBehind();
            continue;
          }
          if (subscriber.writeFrames(frames) && subscriber.markForFlush()) {
            written.add(subscriber);
          }
          delivered += frames.records();
        }
        long now = System.currentTimeMillis();
        for (long ts : frames.timestamps()) {
          metrics.deliveryLatencyMillis(now - ts);
        }
      }
      for (int i = 0, n = written.size(); i < n; i++) {
        written.get(i).flush();
      }
    } finally {
      written.clear();
      batch.loopDone();
      metrics.delivered(delivered);
      if (dropped > 0) {
        metrics.dropped("slow_client", dropped);
      }
    }
  }
}
