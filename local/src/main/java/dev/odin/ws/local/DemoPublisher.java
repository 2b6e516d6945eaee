package dev.odin.ws.local;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;

/** {@code --demo}: price ticks for a few symbols, round-robin, at a fixed total rate. */
final class DemoPublisher implements AutoCloseable {
  static final List<String> CHANNELS = List.of("BTC-USD", "ETH-USD", "SOL-USD");
  private static final double[] START_PRICES = {65_000, 3_200, 150};

  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final double[] prices = START_PRICES.clone();
  private final ScheduledFuture<?> task;
  private long seq;

  DemoPublisher(String bootstrapServers, String topic, double ratePerSecond, ScheduledExecutorService scheduler) {
    this.producer = Records.producer(bootstrapServers);
    this.topic = topic;
    long periodMicros = Math.max(1, Math.round(1_000_000 / ratePerSecond));
    this.task = scheduler.scheduleAtFixedRate(this::publishOne, 0, periodMicros, TimeUnit.MICROSECONDS);
  }

  private void publishOne() {
    int i = (int) (seq % CHANNELS.size());
    // A small random walk, so a browser console shows something that looks alive.
    prices[i] = Math.max(0.01, prices[i] * (1 + (Math.random() - 0.5) / 500));
    String payload = String.format(Locale.ROOT, "{\"symbol\":\"%s\",\"price\":%.2f,\"seq\":%d}",
        CHANNELS.get(i), prices[i], seq++);
    producer.send(Records.forChannel(topic, CHANNELS.get(i), payload));
  }

  @Override
  public void close() {
    task.cancel(false);
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
