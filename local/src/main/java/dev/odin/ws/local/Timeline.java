package dev.odin.ws.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odin.ws.api.Autoscaler;
import dev.odin.ws.api.Rebalancer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code --timeline FILE}: one JSON line a second with every shard's connections and state as the balancer sees
 * them, and what the autoscaler and the rebalancer last decided: what a plot of a ramp needs.
 */
final class Timeline implements Runnable, AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BufferedWriter writer;
  private final Supplier<List<ShardView>> shards;
  private final Supplier<LocalScaler.Snapshot> scaling;
  private boolean closed;

  private Timeline(BufferedWriter writer, Supplier<List<ShardView>> shards, Supplier<LocalScaler.Snapshot> scaling) {
    this.writer = writer;
    this.shards = shards;
    this.scaling = scaling;
  }

  static Timeline open(Path file, Supplier<List<ShardView>> shards, Supplier<LocalScaler.Snapshot> scaling) {
    try {
      return new Timeline(Files.newBufferedWriter(file), shards, scaling);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the timeline " + file, e);
    }
  }

  @Override
  public synchronized void run() {
    if (closed) {
      return;
    }
    try {
      writer.write(line(System.currentTimeMillis(), shards.get(), scaling.get()));
      writer.write('\n');
      writer.flush();
    } catch (IOException | RuntimeException e) {
      // A full disk must not stop the cluster: the timeline is a record, not a part of it.
    }
  }

  static String line(long millis, List<ShardView> shards, LocalScaler.Snapshot scaling) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", millis);
    ArrayNode list = line.putArray("shards");
    for (ShardView s : shards) {
      list.addObject().put("index", s.index()).put("connections", s.connections()).put("state", s.state());
    }
    Autoscaler.Decision d = scaling.decision();
    if (d != null) {
      line.putObject("autoscaler").put("recommendedShards", d.shards()).put("desiredShards", d.desiredShards())
          .put("reason", d.reason());
    }
    Rebalancer.Progress p = scaling.rebalance();
    if (p != null) {
      line.putObject("rebalance").put("phase", p.phase().name()).put("imbalancePercent", p.imbalancePercent())
          .put("rounds", p.rounds()).put("connectionsShed", p.shed()).put("message", p.message());
    }
    return line.toString();
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    writer.close();
  }
}
