package dev.odin.ws.shard.kafka;

import dev.odin.ws.shard.config.TopicRoute;
import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.metrics.ShardMetrics;
import dev.odin.ws.shard.testing.IdleSubscriber;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * What encoding a poll batch costs the consumer thread, per record: heap bytes allocated (exact, the same on a busy
 * machine as on an idle one) and CPU time (noisy), for bench 2's workload (one channel named by its key, one
 * partition, 100-byte records) and for a channel spread over six partitions. The baseline is the loop the consumer
 * ran before spread positions (commit e9cbc48), kept here verbatim, on the same records. Run by bench/7-encode.sh.
 */
public final class EncodeBench {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final int BATCH = 1000;
  private static final Uuid ID = Uuid.randomUuid();

  private final ShardMetrics metrics = new ShardMetrics("bench", 0);
  private final EmbeddedChannel loop = new EmbeddedChannel();
  private final FanOut fanOut = new FanOut(List.of(loop.eventLoop()), metrics);
  private final TopicIds topicIds = new TopicIds();
  private final Map<String, TopicRoute> routes = Map.of("bench", new TopicRoute("bench", "{key}"),
      "wide", new TopicRoute("wide", "{topic}"));
  private final FrameEncoder encoder = new FrameEncoder();

  private EncodeBench() {
    topicIds.put("bench", ID);
    topicIds.put("wide", Uuid.randomUuid());
    for (String channel : new String[] {"bench", "wide"}) {
      fanOut.subscribe(loop.eventLoop(), channel, new IdleSubscriber());
    }
  }

  public static void main(String[] args) {
    int batches = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    new EncodeBench().run(batches);
  }

  private void run(int batches) {
    byte[] value = new byte[100];
    Arrays.fill(value, (byte) 'x');
    value[0] = '"';
    value[99] = '"';
    BatchEncoder current = encoder(1);
    BatchEncoder spread = encoder(6);
    List<Loop> loops = List.of(
        new Loop("before spread positions (e9cbc48), 1 partition, {key}", offset -> batch("bench", 1, offset, value),
            this::previousLoop),
        new Loop("BatchEncoder, 1 partition, {key} (bench 2)", offset -> batch("bench", 1, offset, value),
            records -> current.encode(records, p -> 0)),
        new Loop("BatchEncoder, 6 partitions, {topic} (spread positions)", offset -> batch("wide", 6, offset, value),
            records -> spread.encode(records, p -> 0)));
    System.out.printf("encode: %d batches of %d records of 100 bytes per round, %d rounds after one of warm-up, the loops"
        + " taking turns; per record: allocations (exact; the least of the rounds, as the JIT settles), CPU (min and median of the rounds: the machine is shared)%n",
        batches, BATCH, ROUNDS);
    for (int round = 0; round <= ROUNDS; round++) {
      for (Loop loop : loops) {
        loop.measure(round > 0, batches);
      }
    }
    System.out.printf("%-58s %12s %10s %10s%n", "loop", "bytes/record", "min ns", "median ns");
    for (Loop loop : loops) {
      long[] cpu = loop.cpuPerRound.stream().mapToLong(Long::longValue).sorted().toArray();
      double records = (double) batches * BATCH;
      System.out.printf("%-58s %12.1f %10.1f %10.1f%n", loop.name, loop.bytesPerRound.stream().mapToLong(Long::longValue).min().orElse(0) / records, cpu[0] / records,
          cpu[cpu.length / 2] / records);
    }
    this.loop.finishAndReleaseAll();
  }

  private static final int ROUNDS = 5;

  /** One way of encoding, its inputs, and what each measured round cost. */
  private static final class Loop {
    final String name;
    final List<ConsumerRecords<byte[], byte[]>> inputs = new ArrayList<>();
    final java.util.function.Function<ConsumerRecords<byte[], byte[]>, List<ChannelFrames>> encode;
    final List<Long> cpuPerRound = new ArrayList<>();
    final List<Long> bytesPerRound = new ArrayList<>();

    Loop(String name, java.util.function.LongFunction<ConsumerRecords<byte[], byte[]>> make,
        java.util.function.Function<ConsumerRecords<byte[], byte[]>, List<ChannelFrames>> encode) {
      this.name = name;
      this.encode = encode;
      for (int b = 0; b < 50; b++) {
        inputs.add(make.apply((long) b * BATCH));
      }
    }

    void measure(boolean keep, int batches) {
      long thread = Thread.currentThread().getId();
      long bytes0 = THREADS.getThreadAllocatedBytes(thread);
      long cpu0 = THREADS.getCurrentThreadCpuTime();
      for (int b = 0; b < batches; b++) {
        for (ChannelFrames frames : encode.apply(inputs.get(b % inputs.size()))) {
          frames.frames().release();
        }
      }
      long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
      long bytes = THREADS.getThreadAllocatedBytes(thread) - bytes0;
      if (keep) {
        cpuPerRound.add(cpu);
        bytesPerRound.add(bytes);
      }
    }
  }

  private BatchEncoder encoder(int partitions) {
    ConsumerProgress progress = new ConsumerProgress();
    List<TopicPartition> assigned = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      assigned.add(new TopicPartition("bench", p));
      assigned.add(new TopicPartition("wide", p));
    }
    progress.assigned(assigned);
    return new BatchEncoder(routes, topicIds, fanOut, new ChannelFeeds(), progress, metrics);
  }

  private static ConsumerRecords<byte[], byte[]> batch(String topic, int partitions, long firstOffset, byte[] value) {
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new LinkedHashMap<>();
    byte[] key = topic.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < BATCH; i++) {
      int p = i % partitions;
      long offset = (firstOffset + i) / partitions;
      byPartition.computeIfAbsent(new TopicPartition(topic, p), x -> new ArrayList<>())
          .add(new ConsumerRecord<>(topic, p, offset, key, value));
    }
    return new ConsumerRecords<>(byPartition, Map.of());
  }

  /** The consumer's loop before spread positions (BroadcastConsumer.deliver at e9cbc48), minus the hand-over. */
  private List<ChannelFrames> previousLoop(ConsumerRecords<byte[], byte[]> records) {
    Map<String, ChannelFrames.Builder> channels = new LinkedHashMap<>();
    long now = System.currentTimeMillis();
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(partition);
      metrics.consumed(partition.topic(), partitionRecords.size());
      TopicRoute route = routes.get(partition.topic());
      Uuid topicId = topicIds.idOf(partition.topic());
      for (ConsumerRecord<byte[], byte[]> record : partitionRecords) {
        metrics.recordAgeMillis(now - record.timestamp());
        String channel = route.channelOf(record.key(), record.headers());
        if (channel == null) {
          metrics.dropped("no_channel", 1);
          continue;
        }
        if (!fanOut.hasSubscribers(channel)) {
          continue;
        }
        ChannelFrames.Builder builder = channels.computeIfAbsent(channel, ChannelFrames.Builder::new);
        String position = new PartitionPosition(topicId, partition.partition(), record.offset()).encode();
        encoder.appendFrame(builder.frames(), channel, position, record.timestamp(), record.value());
        builder.added(partition, record.offset(), record.timestamp());
      }
    }
    List<ChannelFrames> batch = new ArrayList<>(channels.size());
    channels.values().forEach(b -> batch.add(b.build()));
    return batch;
  }
}
