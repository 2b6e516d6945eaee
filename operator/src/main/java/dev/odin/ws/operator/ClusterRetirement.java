package dev.odin.ws.operator;

import dev.odin.ws.api.DrainStatus;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.model.WsClusterNames;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deleting a WsCluster, behind the operator's finalizer: every client is told the cluster is going away (1001, paced
 * over drain.seconds), the shards are stopped, every consumer group of the cluster is deleted from Kafka, and only
 * then does the finalizer go and garbage collection remove the children. Progress lives in {@code status.drain}, so
 * a new leader continues where the last one stopped.
 */
public final class ClusterRetirement {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRetirement.class);
  /** Past this, a Kafka that cannot delete the groups no longer holds the WsCluster's deletion: they are left behind. */
  static final Duration GIVE_UP_ON_GROUPS = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final ScaleDownCoordinator drains;
  private final ConsumerGroupCleaner groups;
  private final EventRecorder events;
  private final StatusApplier status;

  public ClusterRetirement(KubernetesClient client, ScaleDownCoordinator drains, ConsumerGroupCleaner groups,
      EventRecorder events, StatusApplier status) {
    this.client = client;
    this.drains = drains;
    this.groups = groups;
    this.events = events;
    this.status = status;
  }

  /** One step; the finalizer stays until the last one. */
  public DeleteControl step(WsCluster cr, Optional<StatefulSet> sts, ShardsObserved observed, Instant now)
      throws InterruptedException {
    int replicas = sts.map(s -> s.getSpec().getReplicas()).orElse(0);
    int shardCount = Math.max(replicas, observed.pods().keySet().stream().mapToInt(i -> i + 1).max().orElse(0));
    DrainStatus drain = DrainProgress.current(cr, DrainStatus.Reason.Delete)
        .orElseGet(() -> new DrainStatus(DrainStatus.Reason.Delete, shardCount, 0, now.toString()));
    if (!Boolean.TRUE.equals(drain.getDrained())) {
      drains.drainStep(cr, drain, observed, now);
      status.apply(cr, s -> s.setDrain(drain));
      if (!Boolean.TRUE.equals(drain.getDrained())) {
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(POLL);
      }
    }
    if (replicas > 0) {
      // A merge patch of the replicas alone: an apply of them alone would drop the operator's ownership of every
      // other field of the StatefulSet (and the scale subresource would need a permission of its own).
      client.apps().statefulSets().inNamespace(cr.getMetadata().getNamespace())
          .withName(WsClusterNames.statefulSet(cr))
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":0}}");
    }
    if (!observed.pods().isEmpty()) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(POLL); // consumers leave their groups as shards stop
    }
    return deleteGroups(cr, drain, now);
  }

  private DeleteControl deleteGroups(WsCluster cr, DrainStatus drain, Instant now) throws InterruptedException {
    String problem;
    try {
      List<String> left = groups.groupsOf(cr);
      Set<String> gone = groups.delete(cr, left);
      gone.forEach(g -> events.normal(cr, "ConsumerGroupDeleted", "deleted consumer group " + g));
      if (gone.containsAll(left)) {
        return DeleteControl.defaultDelete();
      }
      problem = "consumer groups not empty: " + left.stream().filter(g -> !gone.contains(g)).toList();
    } catch (IllegalStateException e) {
      problem = e.getMessage();
    }
    if (now.isAfter(Instant.parse(drain.getSince()).plus(GIVE_UP_ON_GROUPS))) {
      events.warning(cr, "ConsumerGroupsLeft", "could not delete the cluster's consumer groups within "
          + GIVE_UP_ON_GROUPS.toMinutes() + " minutes; deleting the WsCluster without them: " + problem);
      return DeleteControl.defaultDelete();
    }
    LOG.info("{}: consumer groups not deleted yet: {}", cr.getMetadata().getName(), problem);
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(POLL);
  }
}
