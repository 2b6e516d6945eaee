package dev.odin.ws.e2e;

import dev.odin.ws.shard.testing.Shards;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes {@code {"seq":n}} on each channel (the record key: the default {@code {key}} channel template) at a
 * steady rate, n counting up from 0 per channel, so a subscriber can check that it saw every record once, in order.
 */
final class Publisher implements AutoCloseable {
  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final List<String> channels;
  private final Map<String, Integer> next = new TreeMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "publisher");
    t.setDaemon(true);
    return t;
  });

  /** Starts publishing {@code perSecond} records a second, spread round-robin over {@code channels}. */
  Publisher(String bootstrapServers, String topic, List<String> channels, int perSecond) {
    this.producer = Shards.producer(bootstrapServers);
    this.topic = topic;
    this.channels = List.copyOf(channels);
    channels.forEach(c -> next.put(c, 0));
    long periodMicros = 1_000_000L / perSecond;
    int[] turn = {0};
    timer.scheduleAtFixedRate(() -> publish(this.channels.get(turn[0]++ % this.channels.size())),
        0, periodMicros, TimeUnit.MICROSECONDS);
  }

  private synchronized void publish(String channel) {
    int seq = next.merge(channel, 1, Integer::sum) - 1;
    producer.send(new ProducerRecord<>(topic, channel, "{\"seq\":" + seq + "}"));
  }

  /** Stops publishing and waits until Kafka has every record; returns the last seq published per channel. */
  synchronized Map<String, Integer> stop() {
    timer.shutdownNow();
    producer.flush();
    Map<String, Integer> last = new TreeMap<>();
    next.forEach((channel, n) -> last.put(channel, n - 1));
    return last;
  }

  /** Records published so far. */
  synchronized int published() {
    return next.values().stream().mapToInt(Integer::intValue).sum();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    producer.close();
  }
}
