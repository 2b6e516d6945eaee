package dev.odin.ws.shard.fanout;

import java.util.ArrayList;
import java.util.List;

/**
 * One channel on one event loop: its subscribers, and the log of its records not yet given to all of them.
 * A cursor visits the subscribers in rounds; a visit gives the subscriber, in one write, every log entry
 * appended since its previous visit. A record that arrives mid-round goes to the rest of this round's
 * subscribers at once and to those already passed early in the next round, so it reaches everyone within
 * one round of arriving, instead of waiting for the round under way to end and then taking a whole one.
 * Records that arrive while a round runs still share each subscriber's next write. Confined to its loop.
 */
final class ChannelRollout {
  /** Records handed to the loop together, and where the cursor stood when they arrived. */
  private static final class Entry {
    ChannelFrames frames;
    long accountedBytes;
    final long seq;
    final long round;
    final int position;

    Entry(ChannelFrames frames, long accountedBytes, long seq, long round, int position) {
      this.frames = frames;
      this.accountedBytes = accountedBytes;
      this.seq = seq;
      this.round = round;
      this.position = position;
    }
  }

  /** What one slice of visits did, gathered by the loop and reported once per slice. */
  interface Pass {
    void written(Subscriber subscriber);

    void delivered(int records);

    void dropped(int records);

    /** Every subscriber has been given these records. */
    void completed(ChannelFrames frames);

    /** An entry's buffer was released; {@code bytes} is what was accounted for it on arrival. */
    void released(long bytes);
  }

  private final SubscriberList subscribers;
  private final List<Entry> log = new ArrayList<>();
  private long lastSeq;
  /** The newest entry anything was given from (or that a new subscriber counts as having): later ones may still merge. */
  private long givenUpTo;
  private long round;
  /** How many entries at the head of the log every subscriber has been given. */
  private int completed;
  /** The entries after {@code joinedFrom} up to {@code joinedTo} in one buffer, shared by the subscribers owed exactly those. */
  private ChannelFrames joined;
  private long joinedFrom;
  private long joinedTo;
  /** In the loop's queue of rollouts with work. */
  boolean queued;

  ChannelRollout(String channel) {
    subscribers = new SubscriberList(channel);
  }

  String channel() {
    return subscribers.channel();
  }

  /** A new subscriber gets what arrives from now on. False when already subscribed. */
  boolean add(Subscriber subscriber) {
    if (!subscribers.add(subscriber, lastSeq)) {
      return false;
    }
    givenUpTo = lastSeq;
    return true;
  }

  boolean remove(Subscriber subscriber) {
    return subscribers.remove(subscriber);
  }

  int size() {
    return subscribers.size();
  }

  /** True when every record has been given to every subscriber and released. */
  boolean idle() {
    return log.isEmpty();
  }

  /** Takes ownership of {@code frames}. */
  void append(ChannelFrames frames, long accountedBytes) {
    if (!log.isEmpty()) {
      Entry last = log.get(log.size() - 1);
      if (last.seq > givenUpTo) {
        // Nobody has the last entry yet, so it can take these records too: one entry, not two, for the visits to join.
        ChannelFrames merged = ChannelFrames.concat(List.of(last.frames, frames));
        last.frames.frames().release();
        frames.frames().release();
        last.frames = merged;
        last.accountedBytes += accountedBytes;
        dropJoined();
        return;
      }
    }
    log.add(new Entry(frames, accountedBytes, ++lastSeq, round, subscribers.cursor()));
  }

  /** Makes up to {@code budget} visits (a round's end counts as one); returns how many it made. */
  int visit(int budget, Pass pass) {
    int used = 0;
    while (used < budget && !log.isEmpty()) {
      used++;
      if (subscribers.roundDone()) {
        round++;
        subscribers.rewind();
        completeEntries(pass);
        releaseEntries(pass);
        continue;
      }
      int index = subscribers.advance();
      long upTo = subscribers.given(index);
      if (upTo != lastSeq) {
        give(index, upTo, pass);
      }
      completeEntries(pass);
    }
    return used;
  }

  private void give(int index, long upTo, Pass pass) {
    Subscriber subscriber = subscribers.get(index);
    // First owed entry: sequence numbers in the log are consecutive. Never below zero: an entry is released only
    // after a whole round in which every subscriber present was visited after it arrived.
    int from = (int) Math.max(0, upTo - log.get(0).seq + 1);
    // Before the write: a subscriber that closes during it leaves the list, and another takes this index.
    subscribers.setGiven(index, lastSeq);
    givenUpTo = lastSeq;
    if (!subscriber.isWritable()) {
      int records = 0;
      for (int i = from; i < log.size(); i++) {
        records += log.get(i).frames.records();
      }
      pass.dropped(records);
      subscriber.fellBehind();
      return;
    }
    ChannelFrames owed = from == log.size() - 1 ? log.get(from).frames : joined(from, upTo);
    if (subscriber.writeFrames(owed)) {
      pass.written(subscriber);
    }
    pass.delivered(owed.records());
  }

  private ChannelFrames joined(int from, long upTo) {
    if (joined == null || joinedFrom != upTo || joinedTo != lastSeq) {
      dropJoined();
      List<ChannelFrames> parts = new ArrayList<>(log.size() - from);
      for (int i = from; i < log.size(); i++) {
        parts.add(log.get(i).frames);
      }
      joined = ChannelFrames.concat(parts);
      joinedFrom = upTo;
      joinedTo = lastSeq;
    }
    return joined;
  }

  private void dropJoined() {
    if (joined != null) {
      joined.frames().release();
      joined = null;
    }
  }

  /** An entry that arrived in round r at position p is everyone's once round r + 1 has passed p. */
  private void completeEntries(Pass pass) {
    while (completed < log.size()) {
      Entry entry = log.get(completed);
      boolean everyone = round > entry.round + 1 || round == entry.round + 1 && subscribers.cursor() >= entry.position;
      if (!everyone) {
        return;
      }
      pass.completed(entry.frames);
      completed++;
    }
  }

  /** At a round's start: entries from two rounds back were given to every subscriber in the last round. */
  private void releaseEntries(Pass pass) {
    int releasable = 0;
    while (releasable < completed && log.get(releasable).round <= round - 2) {
      releasable++;
    }
    if (releasable == 0) {
      return;
    }
    for (int i = 0; i < releasable; i++) {
      release(log.get(i), pass);
    }
    log.subList(0, releasable).clear();
    completed -= releasable;
    dropJoined();
  }

  private static void release(Entry entry, Pass pass) {
    entry.frames.frames().release();
    pass.released(entry.accountedBytes);
  }

  /** The last subscriber left: releases everything still held. */
  void close(Pass pass) {
    log.forEach(entry -> release(entry, pass));
    log.clear();
    completed = 0;
    dropJoined();
  }
}
