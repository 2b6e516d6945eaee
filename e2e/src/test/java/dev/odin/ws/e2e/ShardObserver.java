package dev.odin.ws.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the shard pods every 200 ms — which exist, which are Ready, which are being deleted, and how many clients
 * each shard says it holds — so a test can tell afterwards what happened in which order.
 */
final class ShardObserver implements AutoCloseable {
  /** One pod at one moment; connections and assigned partitions -1 when its /stats did not answer. */
  record Sample(Instant at, String pod, String uid, boolean ready, boolean deleting, long connections,
      int assignedPartitions) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, String> labels;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
  private final List<Sample> samples = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "shard-observer");
    t.setDaemon(true);
    return t;
  });

  ShardObserver(KubernetesClient client, String namespace, Map<String, String> labels) {
    this.client = client;
    this.namespace = namespace;
    this.labels = labels;
    timer.scheduleWithFixedDelay(this::sample, 0, 200, TimeUnit.MILLISECONDS);
  }

  private void sample() {
    try {
      Instant now = Instant.now();
      List<Sample> taken = new ArrayList<>();
      for (Pod pod : client.pods().inNamespace(namespace).withLabels(labels).list().getItems()) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        JsonNode stats = ip == null ? null : stats(ip);
        taken.add(new Sample(now, pod.getMetadata().getName(), pod.getMetadata().getUid(), ObserverChecks.ready(pod),
            pod.getMetadata().getDeletionTimestamp() != null,
            stats == null ? -1 : stats.path("connections").asLong(),
            stats == null ? -1 : stats.path("assignedPartitions").asInt()));
      }
      synchronized (samples) {
        samples.addAll(taken);
      }
    } catch (RuntimeException e) {
      // the API server or a shard was slow: the next sample will do
    }
  }

  private JsonNode stats(String ip) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":9090/stats"))
          .timeout(Duration.ofMillis(800)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (java.io.IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  /** Samples of one pod instance (by uid), in time order. */
  List<Sample> of(String uid) {
    return samples().stream().filter(s -> s.uid().equals(uid)).toList();
  }

  /** The largest number of the shard pods that existed and were not Ready at one moment. */
  long mostNotReadyAtOnce() {
    return samples().stream().collect(java.util.stream.Collectors.groupingBy(Sample::at,
        java.util.stream.Collectors.filtering(s -> !s.ready(), java.util.stream.Collectors.counting())))
        .values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
