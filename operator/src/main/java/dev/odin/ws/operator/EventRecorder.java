package dev.odin.ws.operator;

import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on a WsCluster for scale and drain steps (kubectl describe wsc NAME shows them). */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void normal(WsCluster cr, String reason, String message) {
    record(cr, "Normal", reason, message);
  }

  public void warning(WsCluster cr, String reason, String message) {
    record(cr, "Warning", reason, message);
  }

  private void record(WsCluster cr, String type, String reason, String message) {
    LOG.info("{}/{}: {} {}", cr.getMetadata().getNamespace(), cr.getMetadata().getName(), reason, message);
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    try {
      client.v1().events().inNamespace(cr.getMetadata().getNamespace()).resource(new EventBuilder()
          .withNewMetadata()
          .withName(cr.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13))
          .withNamespace(cr.getMetadata().getNamespace())
          .endMetadata()
          .withNewInvolvedObject()
          .withApiVersion(WsCluster.API_VERSION).withKind(WsCluster.KIND)
          .withName(cr.getMetadata().getName()).withNamespace(cr.getMetadata().getNamespace())
          .withUid(cr.getMetadata().getUid())
          .endInvolvedObject()
          .withType(type).withReason(reason).withMessage(message)
          .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
          .withNewSource().withComponent("odin-ws-operator").endSource()
          .build()).create();
    } catch (KubernetesClientException e) {
      LOG.warn("could not record event {} on {}: {}", reason, cr.getMetadata().getName(), e.getMessage());
    }
  }
}
