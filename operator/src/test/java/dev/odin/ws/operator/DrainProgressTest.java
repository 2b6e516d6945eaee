package dev.odin.ws.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.DrainSpec;
import dev.odin.ws.api.DrainStatus;
import dev.odin.ws.api.KafkaSpec;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterSpec;
import dev.odin.ws.api.WsClusterStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DrainProgressTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static WsCluster cluster(DrainStatus drain) {
    WsCluster cr = new WsCluster();
    WsClusterSpec spec = new WsClusterSpec();
    spec.setKafka(new KafkaSpec());
    DrainSpec window = new DrainSpec();
    window.setSeconds(30);
    spec.setDrain(window);
    cr.setSpec(spec);
    WsClusterStatus status = new WsClusterStatus();
    status.setDrain(drain);
    cr.setStatus(status);
    return cr;
  }

  private static DrainStatus scaleDown(int from, int to) {
    return new DrainStatus(DrainStatus.Reason.ScaleDown, from, to, T0.toString());
  }

  private static Optional<ShardStats> connections(long n) {
    return Optional.of(new ShardStats("c", 2, "c-2", n, 0, 100, 0L, true, false, 1, null, null));
  }

  @Test
  void scaleUpAndCreationTakeTheDesiredCountAtOnce() {
    assertEquals(3, DrainProgress.replicasNow(cluster(null), 3, null));
    assertEquals(5, DrainProgress.replicasNow(cluster(null), 5, 3));
  }

  @Test
  void aScaleDownKeepsTheOldCountUntilTheDrainRecordedInTheStatusIsDone() {
    assertEquals(5, DrainProgress.replicasNow(cluster(null), 2, 5), "no drain recorded yet");
    DrainStatus drain = scaleDown(5, 2);
    assertEquals(5, DrainProgress.replicasNow(cluster(drain), 2, 5));
    drain.setDrained(true);
    assertEquals(2, DrainProgress.replicasNow(cluster(drain), 2, 5));
  }

  @Test
  void aStartedScaleDownIsFinishedEvenWhenSpecShardsGoesBackUp() {
    DrainStatus drain = scaleDown(5, 2);
    assertEquals(5, DrainProgress.replicasNow(cluster(drain), 6, 5));
    drain.setDrained(true);
    assertEquals(2, DrainProgress.replicasNow(cluster(drain), 6, 5));
  }

  @Test
  void aDeletionsDrainDoesNotHoldTheReplicas() {
    DrainStatus delete = new DrainStatus(DrainStatus.Reason.Delete, 3, 0, T0.toString());
    assertEquals(3, DrainProgress.replicasNow(cluster(delete), 3, 3));
  }

  @Test
  void aShardIsDoneWhenEmptyOrWithoutAPodOrPastItsWindowButNotWhenItDidNotAnswer() {
    DrainStatus drain = scaleDown(3, 2);
    WsCluster cr = cluster(drain);
    assertFalse(DrainProgress.done(cr, drain, Set.of(2), Map.of(2, connections(0)), Set.of(2), T0), "not asked yet");
    DrainProgress.recordAsked(drain, 2, T0);
    assertFalse(DrainProgress.done(cr, drain, Set.of(2), Map.of(2, connections(7)), Set.of(2), T0.plusSeconds(29)));
    assertTrue(DrainProgress.done(cr, drain, Set.of(2), Map.of(2, connections(0)), Set.of(2), T0.plusSeconds(1)));
    assertFalse(DrainProgress.done(cr, drain, Set.of(2), Map.of(2, Optional.empty()), Set.of(2), T0.plusSeconds(29)),
        "a running shard that did not answer may still hold clients");
    assertTrue(DrainProgress.done(cr, drain, Set.of(2), Map.of(2, Optional.empty()), Set.of(), T0.plusSeconds(1)),
        "no running pod holds no client");
    assertTrue(DrainProgress.done(cr, drain, Set.of(2), Map.of(2, connections(7)), Set.of(2), T0.plusSeconds(30)));
  }

  @Test
  void aShardRecordedAsAskedThatSaysItIsNotDrainingIsUnheardAndItsWindowStartsAgain() {
    DrainStatus drain = new DrainStatus(DrainStatus.Reason.ScaleDown, 5, 2, T0.toString());
    DrainProgress.recordAsked(drain, 2, T0);
    DrainProgress.recordAsked(drain, 3, T0);
    DrainProgress.recordAsked(drain, 4, T0);
    Optional<ShardStats> notDraining =
        Optional.of(new ShardStats("c", 3, "c-3", 9, 0, 100, 0L, false, true, 1, null, null));
    assertEquals(java.util.List.of(3), DrainProgress.unheard(drain,
        Map.of(2, connections(4), 3, notDraining, 4, Optional.empty())),
        "shard 2 drains, shard 3 never heard, shard 4 did not answer (its window decides)");
    assertEquals(java.util.List.of(), DrainProgress.unheard(scaleDown(5, 2), Map.of(3, notDraining)),
        "a shard not asked yet is asked, not asked again");

    DrainProgress.recordAskedAgain(drain, 3, T0.plusSeconds(12));
    WsCluster cr = cluster(drain);
    assertFalse(DrainProgress.done(cr, drain, Set.of(3), Map.of(3, notDraining), Set.of(3), T0.plusSeconds(30)),
        "the window runs from when the shard was asked again");
    assertTrue(DrainProgress.done(cr, drain, Set.of(3), Map.of(3, notDraining), Set.of(3), T0.plusSeconds(42)));
  }

  @Test
  void theDrainReadFromTheStatusIsACopy() {
    DrainStatus drain = scaleDown(3, 2);
    WsCluster cr = cluster(drain);
    DrainStatus copy = DrainProgress.current(cr, DrainStatus.Reason.ScaleDown).orElseThrow();
    DrainProgress.recordAsked(copy, 2, T0);
    assertTrue(drain.getShards().isEmpty(), "the cached resource was changed");
    assertTrue(DrainProgress.current(cr, DrainStatus.Reason.Delete).isEmpty());
  }
}
