package dev.odin.ws.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Stands in for the balancer in front of the shards (Envoy cannot run here): least connections over the shard pods
 * the API server reports Ready, as Envoy's health checks on /readyz would see them. Every 300 ms it re-reads the Ready
 * pods and their connection counts from each shard's /stats; between two reads it counts its own picks.
 */
final class ShardBalancer implements Supplier<URI>, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, String> shardLabels;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "balancer");
    t.setDaemon(true);
    return t;
  });
  /** ws URI of each Ready shard → its connections (last read, plus picks since). */
  private Map<URI, Long> load = Map.of();

  ShardBalancer(KubernetesClient client, String namespace, Map<String, String> shardLabels) {
    this.client = client;
    this.namespace = namespace;
    this.shardLabels = shardLabels;
    refresh();
    timer.scheduleWithFixedDelay(this::refresh, 300, 300, TimeUnit.MILLISECONDS);
  }

  /** The Ready shard with the fewest connections; null while none is Ready. */
  @Override
  public synchronized URI get() {
    URI least = null;
    for (Map.Entry<URI, Long> e : load.entrySet()) {
      if (least == null || e.getValue() < load.get(least)) {
        least = e.getKey();
      }
    }
    if (least != null) {
      load.merge(least, 1L, Long::sum);
    }
    return least;
  }

  /** The Ready shards' pod names by ws URI, as last read. */
  synchronized java.util.Set<URI> readyShards() {
    return java.util.Set.copyOf(load.keySet());
  }

  private void refresh() {
    Map<URI, Long> fresh = new HashMap<>();
    try {
      for (Pod pod : client.pods().inNamespace(namespace).withLabels(shardLabels).list().getItems()) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip != null && ObserverChecks.ready(pod) && pod.getMetadata().getDeletionTimestamp() == null) {
          fresh.put(URI.create("ws://" + ip + ":8080/ws"), connections(ip));
        }
      }
    } catch (RuntimeException e) {
      return; // keep the last view; the next read may succeed
    }
    synchronized (this) {
      load = fresh;
    }
  }

  private long connections(String ip) {
    try {
      HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":9090/stats"))
          .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(stats.body()).path("connections").asLong();
    } catch (java.io.IOException e) {
      return Long.MAX_VALUE / 2; // unreachable: last choice
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Long.MAX_VALUE / 2;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
