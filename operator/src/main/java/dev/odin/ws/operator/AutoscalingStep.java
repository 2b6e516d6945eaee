package dev.odin.ws.operator;

import dev.odin.ws.api.AutoscalingSpec;
import dev.odin.ws.api.AutoscalingStatus;
import dev.odin.ws.api.Autoscaler;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Optional;

/** Runs the api's autoscaler for one WsCluster; in mode Auto it also writes spec.shards. */
public final class AutoscalingStep {
  private final KubernetesClient client;
  private final EventRecorder events;

  public AutoscalingStep(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
  }

  /**
   * @param replicas the StatefulSet's current replicas
   * @param scaling whether a scale-down is in progress (Auto then waits)
   * @return the status to show; null in mode Off
   */
  public AutoscalingStatus step(WsCluster cr, long connections, int replicas, boolean scaling, Instant now) {
    AutoscalingSpec.Mode mode = WsClusterDefaults.autoscalingMode(cr);
    if (mode == AutoscalingSpec.Mode.Off) {
      return null;
    }
    Optional<WsClusterStatus> previous = Optional.ofNullable(cr.getStatus());
    String last = previous.map(WsClusterStatus::getAutoscaling).map(AutoscalingStatus::getLastScaleTime).orElse(null);
    boolean replicasChanged = previous.map(WsClusterStatus::getShards).map(p -> p != replicas).orElse(false);
    if (replicasChanged || last == null) {
      last = now.toString();
    }
    int shards = WsClusterDefaults.shards(cr);
    Autoscaler.Recommendation r = Autoscaler.recommend(
        WsClusterDefaults.autoscalingPolicy(cr), connections, shards, Instant.parse(last), now);
    if (mode == AutoscalingSpec.Mode.Auto && r.shards() != shards && !scaling) {
      client.resources(WsCluster.class).inNamespace(cr.getMetadata().getNamespace())
          .withName(cr.getMetadata().getName())
          .edit(c -> {
            c.getSpec().setShards(r.shards());
            return c;
          });
      events.normal(cr, "Autoscaled", "spec.shards " + shards + " -> " + r.shards() + ": " + r.reason());
      last = now.toString();
    }
    AutoscalingStatus s = new AutoscalingStatus();
    s.setRecommendedShards(r.shards());
    s.setReason(r.reason());
    s.setLastScaleTime(last);
    return s;
  }
}
