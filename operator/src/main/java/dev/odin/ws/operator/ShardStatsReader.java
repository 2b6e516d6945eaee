package dev.odin.ws.operator;

import dev.odin.ws.api.ShardAdminClient;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every shard's /stats in parallel and sends /drain and /shed; a shard without an address or an answer reads
 * as empty.
 */
public final class ShardStatsReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardStatsReader.class);
  private final ManagementTokens tokens;
  private final ShardAdminClient client = new ShardAdminClient(Duration.ofSeconds(2));
  private final ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
    Thread t = new Thread(r, "shard-stats");
    t.setDaemon(true);
    return t;
  });

  public ShardStatsReader(ManagementTokens tokens) {
    this.tokens = tokens;
  }

  /** Stats by shard index; empty where the shard has no address (null) or did not answer. */
  public Map<Integer, Optional<ShardStats>> read(Map<Integer, URI> shards) {
    Map<Integer, CompletableFuture<Optional<ShardStats>>> futures = new LinkedHashMap<>();
    shards.forEach((index, uri) -> futures.put(index, uri == null
        ? CompletableFuture.completedFuture(Optional.empty())
        : CompletableFuture.supplyAsync(() -> stats(uri), pool)));
    Map<Integer, Optional<ShardStats>> out = new TreeMap<>();
    futures.forEach((index, future) -> out.put(index, future.join()));
    return out;
  }

  /**
   * Asks shard {@code uri} of {@code cr} to drain (with 1001 when {@code goingAway}), with the cluster's management
   * token; false when it could not be reached.
   */
  public boolean drain(WsCluster cr, URI uri, boolean goingAway) {
    return send(uri, "drain", () -> client.drain(uri, goingAway, tokens.of(cr).orElse(null)));
  }

  /**
   * Asks shard {@code uri} of {@code cr} to close {@code count} clients with 1012, paced, with the cluster's management
   * token; false when it could not be reached.
   */
  public boolean shed(WsCluster cr, URI uri, int count) {
    return send(uri, "shed", () -> client.shed(uri, count, tokens.of(cr).orElse(null)));
  }

  private interface Command {
    void send() throws java.io.IOException, InterruptedException;
  }

  private static boolean send(URI uri, String what, Command command) {
    if (uri == null) {
      return false;
    }
    try {
      command.send();
      return true;
    } catch (java.io.IOException e) {
      LOG.debug("{} of {} failed: {}", what, uri, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Optional<ShardStats> stats(URI uri) {
    try {
      return Optional.of(client.stats(uri));
    } catch (java.io.IOException e) {
      LOG.debug("stats of {} unavailable: {}", uri, e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
