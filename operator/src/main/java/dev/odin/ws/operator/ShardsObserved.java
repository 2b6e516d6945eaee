package dev.odin.ws.operator;

import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** What one reconcile saw of the shards: their pods, where their management APIs are, and what /stats said. */
public record ShardsObserved(Map<Integer, Pod> pods, Map<Integer, URI> endpoints,
    Map<Integer, Optional<ShardStats>> stats) {

  /** Shards {@code 0..count-1}, and any other shard whose pod still exists. */
  static ShardsObserved observe(WsCluster cr, int count, Context<WsCluster> context, ShardUriResolver resolver,
      ShardStatsReader reader) {
    Map<Integer, Pod> pods = ShardPods.byIndex(cr, context);
    Set<Integer> indices = new TreeSet<>(pods.keySet());
    for (int i = 0; i < count; i++) {
      indices.add(i);
    }
    Map<Integer, URI> endpoints = new TreeMap<>();
    indices.forEach(i -> endpoints.put(i, resolver.managementUri(cr, i, pods.get(i))));
    return new ShardsObserved(pods, endpoints, reader.read(endpoints));
  }

  /** Shards with an address: their pod runs (a shard without one holds no client). */
  public Set<Integer> running() {
    Set<Integer> out = new TreeSet<>();
    endpoints.forEach((i, uri) -> {
      if (uri != null) {
        out.add(i);
      }
    });
    return out;
  }

  /** The Ready condition of each shard pod that exists. */
  public Map<Integer, Boolean> readiness() {
    Map<Integer, Boolean> out = new TreeMap<>();
    pods.forEach((i, pod) -> out.put(i, ShardPods.ready(pod)));
    return out;
  }

  /** Stats of shards {@code 0..count-1} only (the status lists those). */
  public Map<Integer, Optional<ShardStats>> statsBelow(int count) {
    Map<Integer, Optional<ShardStats>> out = new TreeMap<>();
    stats.forEach((i, s) -> {
      if (i < count) {
        out.put(i, s);
      }
    });
    return out;
  }
}
