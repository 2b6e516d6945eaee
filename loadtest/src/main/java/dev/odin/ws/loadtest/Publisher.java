package dev.odin.ws.loadtest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces records at a fixed rate and size, round-robin over channels (the record key is the
 * channel, the shard's default template). A topic of {@code {channel}} gives each channel its own
 * topic, so its offsets have no holes and the clients' gap check is exact. The value is a JSON string of exactly {@code size} bytes, so
 * the shard embeds it as it is. The Kafka timestamp is the send time: latency is measured from it.
 *
 * <p>With {@code spread}, a channel's records go round-robin over every partition of its topic (the partition set
 * explicitly, as a producer with its own partitioner does), so the channel is fed from all of them: with a
 * {@code {topic}} template, or keyed records that the shard then sees on several partitions.
 *
 * <p>Paced at a fixed rate ({@link #run}), or closed-loop ({@link #runWindowed}): as fast as the records are
 * delivered, keeping at most a window of records sent but not yet delivered to every subscriber.
 */
final class Publisher implements AutoCloseable {
  /** What a publishing run did. */
  record Result(long records, long errors, double seconds, double rate, int size) {}

  private final KafkaProducer<byte[], byte[]> producer;
  private final String[] topics;
  private final byte[][] keys;
  /** Per channel, the partition count of its topic when spread, else null (Kafka's partitioner picks by key). */
  private final int[] partitions;
  private final long[] sentPerChannel;
  private final byte[] value;
  private final double rate;
  final AtomicLong sent = new AtomicLong();
  final AtomicLong errors = new AtomicLong();

  Publisher(String bootstrap, String topic, List<String> channels, int size, double rate, int lingerMs) {
    this(bootstrap, topic, channels, size, rate, lingerMs, false);
  }

  Publisher(String bootstrap, String topic, List<String> channels, int size, double rate, int lingerMs, boolean spread) {
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("the publisher needs at least one channel");
    }
    if (!(rate > 0)) {
      throw new IllegalArgumentException("the publish rate must be above zero");
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "odin-ws-loadtest");
    producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    this.topics = channels.stream().map(c -> topic.replace("{channel}", c)).toArray(String[]::new);
    this.keys = channels.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    this.value = payload(size);
    this.rate = rate;
    for (String t : new LinkedHashSet<>(List.of(topics))) {
      producer.partitionsFor(t); // metadata first, so the first records are not sent late in a burst
    }
    this.partitions = spread ? java.util.Arrays.stream(topics).mapToInt(t -> producer.partitionsFor(t).size()).toArray()
        : null;
    this.sentPerChannel = new long[keys.length];
  }

  /** A JSON string literal of exactly {@code size} bytes (at least 2). */
  static byte[] payload(int size) {
    byte[] v = new byte[Math.max(2, size)];
    Arrays.fill(v, (byte) 'x');
    v[0] = '"';
    v[v.length - 1] = '"';
    return v;
  }

  /** Sends {@code rate × seconds} records paced evenly; a late record goes at once, keeping the average. */
  Result run(double seconds) {
    long total = Math.max(1, Math.round(rate * seconds));
    double periodNanos = 1e9 / rate;
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + (long) (i * periodNanos);
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      send(i);
    }
    return finish(start, total);
  }

  /** Sends at the rate, paced evenly, until {@code stop} says so (checked before every record). */
  Result runUntil(java.util.function.BooleanSupplier stop) {
    double periodNanos = 1e9 / rate;
    long start = System.nanoTime();
    long i = 0;
    while (!stop.getAsBoolean()) {
      long due = start + (long) (i * periodNanos);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
        continue;
      }
      send(i);
      i++;
    }
    return finish(start, i);
  }

  /** The {@code i}-th record of a run, round-robin over the channels. */
  private void send(long i) {
    int c = (int) (i % keys.length);
    Integer partition = partitions == null ? null : (int) (sentPerChannel[c]++ % partitions[c]);
    producer.send(new ProducerRecord<>(topics[c], partition, keys[c], value), (md, e) -> {
      if (e != null) {
        errors.incrementAndGet();
      }
    });
    sent.incrementAndGet();
  }

  /**
   * Sends as fast as the records are delivered for {@code seconds}: a record goes only while fewer than
   * {@code window} sent records are not yet delivered to every subscriber ({@code delivered} says how many
   * are), so the servers set the pace and their backlog stays bounded.
   */
  Result runWindowed(double seconds, long window, LongSupplier delivered) {
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long i = 0;
    while (System.nanoTime() < end) {
      if (i - delivered.getAsLong() >= window) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        continue;
      }
      send(i);
      i++;
    }
    return finish(start, i);
  }

  /** Waits until the records sent are acknowledged (or failed), then says what the run did. */
  private Result finish(long startNanos, long records) {
    producer.flush();
    double took = (System.nanoTime() - startNanos) / 1e9;
    return new Result(records, errors.get(), took, records / took, value.length);
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
