package dev.odin.ws.local;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The live status line: shards, ready shards, connections per shard, and records/s written to the fan-out topics
 * (from the topics' end offsets, so it counts every publisher, not only {@code --demo}).
 */
final class StatusReporter implements Runnable {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final Supplier<List<ShardView>> shards;
  private final KafkaEndpoint kafka;
  private final Set<String> topics;
  private final PrintStream out;
  private long lastOffsets = -1;
  private long lastNanos;

  StatusReporter(Supplier<List<ShardView>> shards, KafkaEndpoint kafka, Set<String> topics, PrintStream out) {
    this.shards = shards;
    this.kafka = kafka;
    this.topics = topics;
    this.out = out;
  }

  @Override
  public void run() {
    List<ShardView> views = shards.get();
    long ready = views.stream().filter(v -> v.ready() && !v.stopping()).count();
    int connections = views.stream().mapToInt(ShardView::connections).sum();
    out.println("[" + LocalTime.now().format(TIME) + "] shards " + views.size() + ", ready " + ready
        + " | connections " + connections + " ["
        + views.stream().map(ShardView::describe).collect(Collectors.joining(" ")) + "] | " + rate());
  }

  private String rate() {
    try {
      long offsets = kafka.endOffsets(topics);
      long now = System.nanoTime();
      String text = lastOffsets < 0 ? "- records/s"
          : String.format(Locale.ROOT, "%.1f records/s", (offsets - lastOffsets) * 1e9 / (now - lastNanos));
      lastOffsets = offsets;
      lastNanos = now;
      return text;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return "records/s unknown (Kafka: " + e.getClass().getSimpleName() + ")";
    }
  }
}
