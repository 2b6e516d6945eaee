package dev.odin.ws.shard.kafka;

import dev.odin.ws.shard.config.TopicRoute;
import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.metrics.ShardMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * Turns one poll batch into one buffer of frames per subscribed channel: each record is encoded once, with the
 * position every subscriber of it gets. Consumer thread only.
 *
 * <p>A channel's frames of a batch follow the order the batch is read in, partition after partition. So when a
 * record of a spread channel is encoded, every partition read before it in the batch has been read to the end of
 * its part, and the position says so; the partitions after it stand where the previous batch left them.
 */
final class BatchEncoder {
  private final Map<String, TopicRoute> routes;
  private final TopicIds topicIds;
  private final FanOut fanOut;
  private final ChannelFeeds feeds;
  private final ConsumerProgress progress;
  private final ShardMetrics metrics;
  private final FrameEncoder encoder = new FrameEncoder();
  private final SpreadPosition.Writer spreadWriter = new SpreadPosition.Writer();

  BatchEncoder(Map<String, TopicRoute> routes, TopicIds topicIds, FanOut fanOut, ChannelFeeds feeds,
      ConsumerProgress progress, ShardMetrics metrics) {
    this.routes = routes;
    this.topicIds = topicIds;
    this.fanOut = fanOut;
    this.feeds = feeds;
    this.progress = progress;
    this.metrics = metrics;
  }

  /**
   * The frames of the batch's records that this shard's clients want, one entry per channel; the caller owns them.
   * {@code position} is the consumer's position in a partition, asked only of partitions nothing was read from yet.
   */
  List<ChannelFrames> encode(ConsumerRecords<byte[], byte[]> records, ToLongFunction<TopicPartition> position) {
    Map<String, BatchChannel> channels = new LinkedHashMap<>();
    long now = System.currentTimeMillis();
    progress.startBatch(records);
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(partition);
      metrics.consumed(partition.topic(), partitionRecords.size());
      TopicRoute route = routes.get(partition.topic());
      Uuid topicId = topicIds.idOf(partition.topic());
      long[] next = progress.of(partition.topic());
      int index = partition.partition();
      boolean keyTemplate = route.usesKey();
      for (ConsumerRecord<byte[], byte[]> record : partitionRecords) {
        next[index] = record.offset() + 1;
        metrics.recordAgeMillis(now - record.timestamp());
        String channel = route.channelOf(record.key(), record.headers());
        if (channel == null) {
          metrics.dropped("no_channel", 1);
          continue;
        }
        if (!fanOut.hasSubscribers(channel)) {
          continue;
        }
        BatchChannel out = channels.get(channel);
        if (out == null) {
          out = new BatchChannel(channel, feeds.get(channel));
          channels.put(channel, out);
        }
        String at = out.positionOf(partition, keyTemplate, route, record, topicId, position);
        encoder.appendFrame(out.frames.frames(), channel, at, record.timestamp(), record.value());
        out.frames.added(partition, record.offset(), record.timestamp());
      }
    }
    List<ChannelFrames> batch = new ArrayList<>(channels.size());
    channels.values().forEach(c -> batch.add(c.frames.build()));
    return batch;
  }

  /** One channel's part of the batch: its frames, and what its spread positions are made of. */
  private final class BatchChannel {
    final String channel;
    final ChannelFrames.Builder frames;
    ChannelFeeds.Feed feed;
    /** The feed's topics with their ids and live progress arrays; null until a spread position is written. */
    String[] topics;
    Uuid[] ids;
    long[][] next;
    byte[] name;

    BatchChannel(String channel, ChannelFeeds.Feed feed) {
      this.channel = channel;
      this.feed = feed;
      this.frames = new ChannelFrames.Builder(channel);
    }

    String positionOf(TopicPartition partition, boolean keyTemplate, TopicRoute route,
        ConsumerRecord<byte[], byte[]> record, Uuid topicId, ToLongFunction<TopicPartition> position) {
      // Whether the record was named by its key matters only while the channel comes from one partition.
      if (feed == null || !feed.spread()) {
        boolean keyRouted = keyTemplate && !route.namedByHeader(record.headers());
        if (feed == null || !feed.covers(partition, keyRouted)) {
          feed = feeds.saw(channel, partition, keyRouted);
          topics = null;
        }
        if (!feed.spread()) {
          return PartitionPosition.encode(topicId, partition.partition(), record.offset());
        }
      } else if (!feed.covers(partition, false)) {
        feed = feeds.saw(channel, partition, false);
        topics = null;
      }
      if (topics == null) {
        layOut(position);
      }
      int own = 0;
      while (!topics[own].equals(partition.topic())) {
        own++;
      }
      return spreadWriter.write(name, ids, next, own, partition.partition());
    }

    private void layOut(ToLongFunction<TopicPartition> position) {
      List<String> named = new ArrayList<>();
      for (String topic : feed.topics()) {
        // A topic with nothing assigned here yet cannot be named; the record's own topic always can.
        if (progress.of(topic) != null && topicIds.idOf(topic) != null) {
          progress.resolve(topic, position);
          named.add(topic);
        }
      }
      topics = named.toArray(String[]::new);
      ids = new Uuid[topics.length];
      next = new long[topics.length][];
      for (int t = 0; t < topics.length; t++) {
        ids[t] = topicIds.idOf(topics[t]);
        next[t] = progress.of(topics[t]);
      }
      if (name == null) {
        name = channel.getBytes(StandardCharsets.UTF_8);
      }
    }
  }
}
