package dev.odin.ws.shard.fanout;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The subscribers of one channel on one event loop, visited in rounds by a cursor: those before the cursor
 * were visited in the current round. Beside each subscriber it keeps the sequence number of the last log
 * entry the subscriber was given. Removal is O(1) and never moves a subscriber across the cursor, so every
 * subscriber present when a round starts is visited exactly once in it. Confined to its event loop.
 */
final class SubscriberList {
  private final String channel;
  private Subscriber[] items = new Subscriber[4];
  private long[] given = new long[4];
  private int size;
  private int cursor;
  private final Map<Subscriber, Integer> positions = new IdentityHashMap<>();

  SubscriberList(String channel) {
    this.channel = channel;
  }

  String channel() {
    return channel;
  }

  /** Adds a subscriber that has been given everything up to {@code givenUpTo}; false when already present. */
  boolean add(Subscriber subscriber, long givenUpTo) {
    if (positions.containsKey(subscriber)) {
      return false;
    }
    if (size == items.length) {
      Subscriber[] grownItems = new Subscriber[size * 2];
      System.arraycopy(items, 0, grownItems, 0, size);
      items = grownItems;
      long[] grownGiven = new long[size * 2];
      System.arraycopy(given, 0, grownGiven, 0, size);
      given = grownGiven;
    }
    positions.put(subscriber, size);
    items[size] = subscriber;
    given[size] = givenUpTo;
    size++;
    return true;
  }

  boolean remove(Subscriber subscriber) {
    Integer index = positions.remove(subscriber);
    if (index == null) {
      return false;
    }
    int last = size - 1;
    if (index < cursor) {
      // Fill the hole with the last visited subscriber and its slot with the last one, which then stands
      // first after the cursor: still to be visited this round, as it was.
      int lastVisited = cursor - 1;
      move(lastVisited, index);
      move(last, lastVisited);
      cursor--;
    } else {
      move(last, index);
    }
    items[last] = null;
    size--;
    return true;
  }

  private void move(int from, int to) {
    if (from == to) {
      return;
    }
    items[to] = items[from];
    given[to] = given[from];
    positions.put(items[to], to);
  }

  int size() {
    return size;
  }

  boolean roundDone() {
    return cursor >= size;
  }

  /** Starts the next round at the first subscriber. */
  void rewind() {
    cursor = 0;
  }

  int cursor() {
    return cursor;
  }

  /** Moves the cursor past the next subscriber and returns that subscriber's index. */
  int advance() {
    return cursor++;
  }

  Subscriber get(int index) {
    return items[index];
  }

  long given(int index) {
    return given[index];
  }

  void setGiven(int index, long upTo) {
    given[index] = upTo;
  }
}
