package dev.odin.ws.shard.kafka;

import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.config.TopicRoute;
import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.metrics.ShardMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what resuming clients missed, straight from Kafka, with a consumer outside the live group.
 * One thread serves every request: requests that arrive together are batched by partition and read
 * in one pass from the lowest offset asked for, each record encoded once for all who want it.
 */
public final class ReplayService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplayService.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /** What a resume asks for: the channel's records in {@code partition} from {@code fromOffset} on. */
  public record Request(String channel, Position since, Consumer<Result> onDone) {}

  /**
   * The outcome. When {@code recovered}, {@code frames} holds every record of the channel from the
   * asked offset up to (not including) {@code endOffset}, and the receiver owns its buffer.
   */
  public record Result(boolean recovered, String outcome, TopicPartition partition, long endOffset, ChannelFrames frames) {}

  private final ShardServerConfig config;
  private final TopicIds topicIds;
  private final ShardMetrics metrics;
  private final Map<String, TopicRoute> routes;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final FrameEncoder encoder = new FrameEncoder();
  /** One record's frame, encoded once and copied to every request that wants it. */
  private final ByteBuf frame = Unpooled.buffer(1024);
  private final Thread thread = new Thread(this::run, "kafka-replay");
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;

  public ReplayService(ShardServerConfig config, TopicIds topicIds, ShardMetrics metrics) {
    this.config = config;
    this.topicIds = topicIds;
    this.metrics = metrics;
    this.routes = config.topics().stream().collect(Collectors.toMap(TopicRoute::topic, Function.identity()));
    for (String outcome : new String[] {"recovered", "beyond_retention", "topic_changed", "too_far_behind", "too_old", "timeout", "error"}) {
      metrics.declare("recovery", outcome);
    }
  }

  public void start() {
    thread.start();
  }

  /** Queues a request; {@code onDone} runs on the replay thread exactly once. */
  public void submit(Request request) {
    if (!running) {
      request.onDone().accept(failed(request, "error", null));
      return;
    }
    queue.add(request);
  }

  private void run() {
    try (KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(properties())) {
      consumer = kafka;
      while (running) {
        Request first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        List<Request> batch = new ArrayList<>();
        batch.add(first);
        queue.drainTo(batch);
        serve(kafka, batch);
      }
    } catch (InterruptedException | WakeupException e) {
      log.debug("replay reader stopping");
    } finally {
      List<Request> left = new ArrayList<>();
      queue.drainTo(left);
      left.forEach(r -> r.onDone().accept(failed(r, "error", null)));
    }
  }

  private void serve(KafkaConsumer<byte[], byte[]> kafka, List<Request> batch) {
    Map<TopicPartition, List<Request>> byPartition = new HashMap<>();
    for (Request request : batch) {
      String topic = topicIds.topicOf(request.since().topicId()).orElse(null);
      if (topic == null) {
        done(request, failed(request, "topic_changed", null));
        continue;
      }
      byPartition.computeIfAbsent(new TopicPartition(topic, request.since().partition()), p -> new ArrayList<>()).add(request);
    }
    byPartition.forEach((partition, requests) -> {
      try {
        servePartition(kafka, partition, requests);
      } catch (KafkaException e) {
        log.warn("replay of {} failed: {}", partition, e.toString());
        requests.forEach(r -> done(r, failed(r, "error", partition)));
      }
    });
  }

  private void servePartition(KafkaConsumer<byte[], byte[]> kafka, TopicPartition partition, List<Request> requests) {
    long started = System.nanoTime();
    Set<TopicPartition> one = Set.of(partition);
    Duration timeout = config.replayTimeout();
    Map<TopicPartition, Long> begin = kafka.beginningOffsets(one, timeout);
    Map<TopicPartition, Long> ends = kafka.endOffsets(one, timeout);
    if (!begin.containsKey(partition) || !ends.containsKey(partition)) {
      requests.forEach(r -> done(r, failed(r, "topic_changed", partition)));
      return;
    }
    long logStart = begin.get(partition);
    long end = ends.get(partition);
    // The first offset young enough to replay; anything before it is older than the age bound.
    OffsetAndTimestamp youngest = kafka.offsetsForTimes(
        Map.of(partition, System.currentTimeMillis() - config.replayMaxAge().toMillis()), timeout).get(partition);
    long oldestAllowed = youngest == null ? end : youngest.offset();
    Map<String, List<Pending>> wanted = new HashMap<>();
    long lowest = Long.MAX_VALUE;
    for (Request request : requests) {
      long from = request.since().offset() + 1;
      if (from < logStart) {
        done(request, failed(request, "beyond_retention", partition));
      } else if (from > end) {
        done(request, failed(request, "topic_changed", partition));
      } else if (from < oldestAllowed) {
        done(request, failed(request, "too_old", partition));
      } else if (end - from > config.replayMaxRecords()) {
        done(request, failed(request, "too_far_behind", partition));
      } else {
        wanted.computeIfAbsent(request.channel(), c -> new ArrayList<>()).add(new Pending(request, from));
        lowest = Math.min(lowest, from);
      }
    }
    if (wanted.isEmpty()) {
      return;
    }
    TopicRoute route = routes.get(partition.topic());
    kafka.assign(one);
    kafka.seek(partition, lowest);
    long deadline = System.nanoTime() + timeout.toNanos();
    long position = lowest;
    while (position < end && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : kafka.poll(POLL).records(partition)) {
        if (record.offset() >= end) {
          break;
        }
        String channel = route.channelOf(record.key(), record.headers());
        List<Pending> forChannel = channel == null ? null : wanted.get(channel);
        if (forChannel != null) {
          frame.clear();
          String at = new Position(topicIds.idOf(partition.topic()), partition.partition(), record.offset()).encode();
          encoder.appendFrame(frame, channel, at, record.timestamp(), record.value());
          for (Pending pending : forChannel) {
            if (record.offset() >= pending.from) {
              pending.frames.frames().writeBytes(frame, frame.readerIndex(), frame.readableBytes());
              pending.frames.added(partition, record.offset(), record.timestamp());
            }
          }
        }
      }
      position = kafka.position(partition, timeout);
    }
    boolean complete = position >= end;
    for (List<Pending> list : wanted.values()) {
      for (Pending pending : list) {
        ChannelFrames frames = pending.frames.build();
        if (complete) {
          metrics.replayed(frames.records());
          done(pending.request, new Result(true, "recovered", partition, end, frames));
        } else {
          frames.frames().release();
          done(pending.request, failed(pending.request, "timeout", partition));
        }
      }
    }
    metrics.replayDuration(System.nanoTime() - started);
  }

  private void done(Request request, Result result) {
    metrics.recoveryRequest(result.outcome());
    request.onDone().accept(result);
  }

  private static Result failed(Request request, String outcome, TopicPartition partition) {
    return new Result(false, outcome, partition, -1, null);
  }

  private Properties properties() {
    Properties props = KafkaClients.consumer(config, "replay");
    // No group: a replay must never join, commit to or rebalance the shard's live group.
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    return props;
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> kafka = consumer;
    if (kafka != null) {
      kafka.wakeup();
    }
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Pending {
    final Request request;
    final long from;
    final ChannelFrames.Builder frames;

    Pending(Request request, long from) {
      this.request = request;
      this.from = from;
      this.frames = new ChannelFrames.Builder(request.channel());
    }
  }
}
