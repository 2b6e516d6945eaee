package dev.odin.ws.operator;

import dev.odin.ws.api.ShardAdminClient;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads every shard's /stats in parallel and sends /drain; an unreachable shard reads as empty. */
public final class ShardStatsReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardStatsReader.class);
  private final ShardUriResolver resolver;
  private final ManagementTokens tokens;
  private final ShardAdminClient client = new ShardAdminClient(Duration.ofSeconds(2));
  private final ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
    Thread t = new Thread(r, "shard-stats");
    t.setDaemon(true);
    return t;
  });

  public ShardStatsReader(ShardUriResolver resolver, ManagementTokens tokens) {
    this.resolver = resolver;
    this.tokens = tokens;
  }

  /** Stats of shards {@code 0..shards-1}, by index; empty where the shard did not answer. */
  public Map<Integer, Optional<ShardStats>> read(WsCluster cr, int shards) {
    List<CompletableFuture<Optional<ShardStats>>> futures = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      URI uri = resolver.managementUri(cr, i);
      futures.add(CompletableFuture.supplyAsync(() -> stats(uri), pool));
    }
    Map<Integer, Optional<ShardStats>> out = new TreeMap<>();
    for (int i = 0; i < shards; i++) {
      out.put(i, futures.get(i).join());
    }
    return out;
  }

  /** Asks shard {@code index} to drain; false when it could not be reached. */
  public boolean drain(WsCluster cr, int index) {
    URI uri = resolver.managementUri(cr, index);
    try {
      client.drain(uri, tokens.of(cr).orElse(null));
      return true;
    } catch (java.io.IOException e) {
      LOG.debug("drain of {} failed: {}", uri, e.toString());
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
