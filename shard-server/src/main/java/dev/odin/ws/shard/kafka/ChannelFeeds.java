package dev.odin.ws.shard.kafka;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * Where each subscribed channel's records come from, as far as this shard knows: one partition, while every record
 * of the channel it has seen was routed by its key and came from that partition; otherwise a set of topics, every
 * partition of which may carry the channel (a {@code {topic}} template, the {@code ws-channel} header, a key seen on
 * two partitions). A channel only ever widens here. Its positions name what its feed names.
 *
 * <p>The consumer thread records what it sees; event loops read it when a client resumes and widen it with what
 * the client's position names, so a channel stays as wide as any shard has seen it. Channels nobody subscribes to
 * are forgotten.
 */
public final class ChannelFeeds {
  /** Immutable: {@code sole} when the channel comes from one partition, else {@code spreadTopics}. */
  public record Feed(TopicPartition sole, Set<String> spreadTopics) {
    public boolean spread() {
      return sole == null;
    }

    /** The topics it names: the sole partition's, or those it is spread over. */
    public Set<String> topics() {
      return sole != null ? Set.of(sole.topic()) : spreadTopics;
    }

    /** True when a record from {@code partition} (routed by its key or not) leaves this feed as it is. */
    boolean covers(TopicPartition partition, boolean keyRouted) {
      return sole != null ? keyRouted && sole.equals(partition) : spreadTopics.contains(partition.topic());
    }

    Feed with(TopicPartition partition, boolean keyRouted) {
      return covers(partition, keyRouted) ? this : spreadOver(List.of(partition.topic()));
    }

    Feed spreadOver(Collection<String> more) {
      Set<String> all = new TreeSet<>(topics());
      all.addAll(more);
      return sole == null && all.equals(spreadTopics) ? this : new Feed(null, Collections.unmodifiableSet(all));
    }

    static Feed first(TopicPartition partition, boolean keyRouted) {
      return keyRouted ? new Feed(partition, Set.of()) : new Feed(null, Set.of(partition.topic()));
    }
  }

  private final ConcurrentHashMap<String, Feed> byChannel = new ConcurrentHashMap<>();

  /** The channel's feed, or null when this shard has seen none of its records since it was subscribed. */
  public Feed get(String channel) {
    return byChannel.get(channel);
  }

  /** Consumer thread: a record of {@code channel} came from {@code partition}; returns the feed as it now is. */
  Feed saw(String channel, TopicPartition partition, boolean keyRouted) {
    return byChannel.compute(channel, (c, old) -> old == null ? Feed.first(partition, keyRouted)
        : old.with(partition, keyRouted));
  }

  /** A resuming client's position names these topics as the channel's: the channel is spread over them from now. */
  public void spreadOver(String channel, Collection<String> topics) {
    byChannel.compute(channel, (c, old) -> (old == null ? new Feed(null, Set.of()) : old).spreadOver(topics));
  }

  /**
   * True when this shard knows the channel comes from somewhere {@code position} does not name: a partition
   * position for a channel spread here or seen on another partition, or a spread position missing one of its
   * topics. Such a position cannot say what the client missed there. {@code topicNames} are the names of the
   * position's topics, in order.
   */
  public boolean widerThan(String channel, Position position, List<String> topicNames) {
    Feed feed = byChannel.get(channel);
    if (feed == null) {
      return false;
    }
    if (!position.wholeTopics()) {
      return !new TopicPartition(topicNames.get(0), position.ownPartition()).equals(feed.sole());
    }
    return !topicNames.containsAll(feed.topics());
  }

  /** Consumer thread: forgets the channels {@code subscribed} says nobody subscribes to any more. */
  void forgetUnless(Predicate<String> subscribed) {
    for (String channel : byChannel.keySet()) {
      // Atomic per channel: a client that subscribes and widens the feed meanwhile keeps it.
      byChannel.computeIfPresent(channel, (c, feed) -> subscribed.test(c) ? feed : null);
    }
  }
}
