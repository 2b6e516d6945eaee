package dev.odin.ws.shard.fanout;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The subscribers of one channel on one event loop: an array for a tight delivery loop, with O(1)
 * removal by swapping in the last element. Confined to its event loop, so no locking.
 */
final class SubscriberList {
  private final String channel;
  private Subscriber[] items = new Subscriber[4];
  private int size;
  private final Map<Subscriber, Integer> positions = new IdentityHashMap<>();

  SubscriberList(String channel) {
    this.channel = channel;
  }

  String channel() {
    return channel;
  }

  boolean add(Subscriber subscriber) {
    if (positions.containsKey(subscriber)) {
      return false;
    }
    if (size == items.length) {
      Subscriber[] grown = new Subscriber[size * 2];
      System.arraycopy(items, 0, grown, 0, size);
      items = grown;
    }
    positions.put(subscriber, size);
    items[size++] = subscriber;
    return true;
  }

  boolean remove(Subscriber subscriber) {
    Integer index = positions.remove(subscriber);
    if (index == null) {
      return false;
    }
    int last = --size;
    if (index != last) {
      Subscriber moved = items[last];
      items[index] = moved;
      positions.put(moved, index);
    }
    items[last] = null;
    return true;
  }

  int size() {
    return size;
  }

  Subscriber get(int index) {
    return items[index];
  }
}
