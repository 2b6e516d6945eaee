package dev.odin.ws.operator;

import dev.odin.ws.api.AutoscalingSpec;
import dev.odin.ws.api.AutoscalingStatus;
import dev.odin.ws.api.Autoscaler;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the api's autoscaler for one WsCluster, with its memory in status.autoscaling. In mode Auto it writes
 * spec.shards through the scale subresource, the path {@code kubectl scale} takes, and only over the value it
 * decided from: a user's change in between wins, and is then left alone for the window.
 */
public final class AutoscalingStep {
  private static final Logger LOG = LoggerFactory.getLogger(AutoscalingStep.class);
  private final KubernetesClient client;
  private final EventRecorder events;
  private final StatusApplier status;

  public AutoscalingStep(KubernetesClient client, EventRecorder events, StatusApplier status) {
    this.client = client;
    this.events = events;
    this.status = status;
  }

  /**
   * @param busy why spec.shards may not change now (a scale-down in progress), or null
   * @return the status to show; null in mode Off
   */
  public AutoscalingStatus step(WsCluster cr, Autoscaler.Load load, String busy, Instant now) {
    AutoscalingSpec.Mode mode = WsClusterDefaults.autoscalingMode(cr);
    if (mode == AutoscalingSpec.Mode.Off) {
      return null;
    }
    boolean auto = mode == AutoscalingSpec.Mode.Auto;
    Autoscaler.Memory memory = Optional.ofNullable(cr.getStatus()).map(WsClusterStatus::getAutoscaling)
        .map(AutoscalingStatus::memory).orElse(Autoscaler.Memory.NONE);
    int shards = WsClusterDefaults.shards(cr);
    Autoscaler.Decision d = Autoscaler.decide(WsClusterDefaults.autoscalingPolicy(cr), load, shards, memory, auto,
        busy, now);
    AutoscalingStatus result = AutoscalingStatus.of(d);
    if (d.manualChange()) {
      events.normal(cr, "ManualScale", "spec.shards set to " + shards + " by hand (was " + memory.specShards()
          + "); the autoscaler leaves it as it is until " + result.getManualChangeTime() + " + "
          + WsClusterDefaults.autoscalingPolicy(cr).scaleDownStabilizationSeconds() + "s");
    }
    if (auto && d.shards() != shards) {
      // Recorded first: a successor that finds spec.shards at the new value knows the autoscaler wrote it.
      status.apply(cr, s -> s.setAutoscaling(result));
      if (scale(cr, shards, d.shards())) {
        events.normal(cr, "Autoscaled", "spec.shards " + shards + " -> " + d.shards() + ": " + d.reason());
      }
    }
    return result;
  }

  /**
   * Sets the scale subresource's replicas from {@code from} to {@code to}, with the resourceVersion it read: false,
   * and nothing written, when spec.shards is no longer {@code from} (a user's change since this reconcile began).
   */
  private boolean scale(WsCluster cr, int from, int to) {
    Resource<WsCluster> resource = client.resources(WsCluster.class).inNamespace(cr.getMetadata().getNamespace())
        .withName(cr.getMetadata().getName());
    Scale scale = resource.scale();
    Integer current = scale.getSpec() == null ? null : scale.getSpec().getReplicas();
    if (current == null || current != from) {
      LOG.info("{}: spec.shards is {} now, not {}: a change by hand since this reconcile began; not scaling",
          cr.getMetadata().getName(), current, from);
      return false;
    }
    scale.getSpec().setReplicas(to);
    try {
      resource.scale(scale);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      LOG.info("{}: spec.shards changed while the autoscaler wrote it; the change by hand wins",
          cr.getMetadata().getName());
      return false;
    }
  }
}
