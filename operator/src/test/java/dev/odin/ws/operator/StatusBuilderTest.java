package dev.odin.ws.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.DrainStatus;
import dev.odin.ws.api.KafkaSpec;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterSpec;
import dev.odin.ws.api.WsClusterStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusBuilderTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static WsCluster cluster(int shards) {
    WsCluster cr = new WsCluster();
    cr.getMetadata().setName("c");
    cr.getMetadata().setNamespace("ns");
    cr.getMetadata().setGeneration(2L);
    WsClusterSpec spec = new WsClusterSpec();
    spec.setShards(shards);
    spec.setKafka(new KafkaSpec());
    cr.setSpec(spec);
    return cr;
  }

  private static StatefulSet sts(int replicas, int ready) {
    return new StatefulSetBuilder().withNewSpec().withReplicas(replicas).endSpec()
        .withNewStatus().withReadyReplicas(ready).endStatus().build();
  }

  private static ShardStats stats(int index, long connections) {
    return new ShardStats("c", index, "c-" + index, connections, 0, 100, null, false, true, 1, null, null);
  }

  @Test
  void shardStatusesAndTotalsComeFromEachShardsStats() {
    WsClusterStatus s = StatusBuilder.build(cluster(2), new StatusBuilder.Observed(Optional.of(sts(2, 2)),
        Map.of(0, Optional.of(stats(0, 5)), 1, Optional.empty()), Map.of(), null, null, null), T0);
    assertEquals(5L, s.getConnections());
    assertEquals(2L, s.getObservedGeneration());
    assertEquals("c-1", s.getShardStatuses().get(1).getConsumerGroup());
    assertEquals(false, s.getShardStatuses().get(1).getReady());
    assertNull(s.getShardStatuses().get(0).getLag());
    assertEquals("True", s.getConditions().get(0).getStatus());
  }

  @Test
  void podReadinessWinsOverTheShardsOwnWord() {
    WsClusterStatus s = StatusBuilder.build(cluster(1), new StatusBuilder.Observed(Optional.of(sts(1, 0)),
        Map.of(0, Optional.of(stats(0, 5))), Map.of(0, false), null, null, null), T0);
    assertEquals(false, s.getShardStatuses().get(0).getReady());
  }

  @Test
  void drainingShardsAreShownAndReadyCountsOnlyTheShardsThatStay() {
    WsClusterStatus s = StatusBuilder.build(cluster(1), new StatusBuilder.Observed(Optional.of(sts(3, 3)),
        Map.of(), Map.of(), drainOf(3, 1, 2, 1), null, null), T0);
    assertTrue(s.getShardStatuses().get(2).getDraining());
    assertTrue(s.getConditions().get(0).getMessage().contains("draining"));
  }

  @Test
  void lastTransitionTimeIsKeptUntilTheStatusFlips() {
    WsCluster cr = cluster(2);
    WsClusterStatus first = StatusBuilder.build(cr, new StatusBuilder.Observed(Optional.of(sts(2, 1)),
        Map.of(), Map.of(), null, null, null), T0);
    cr.setStatus(first);
    WsClusterStatus later = StatusBuilder.build(cr, new StatusBuilder.Observed(Optional.of(sts(2, 0)),
        Map.of(), Map.of(), null, null, null), T0.plusSeconds(60));
    assertEquals(first.getConditions().get(0).getLastTransitionTime(), later.getConditions().get(0).getLastTransitionTime());
    cr.setStatus(later);
    WsClusterStatus flipped = StatusBuilder.build(cr, new StatusBuilder.Observed(Optional.of(sts(2, 2)),
        Map.of(), Map.of(), null, null, null), T0.plusSeconds(120));
    assertEquals("True", flipped.getConditions().get(0).getStatus());
    assertEquals(T0.plusSeconds(120).toString(), flipped.getConditions().get(0).getLastTransitionTime());
  }

  @Test
  void theDrainAndTheConsumerGroupsStillToDeleteAreKeptInTheStatus() {
    DrainStatus drain = drainOf(3, 1, 2);
    WsClusterStatus s = StatusBuilder.build(cluster(1), new StatusBuilder.Observed(Optional.of(sts(3, 3)),
        Map.of(), Map.of(), drain, List.of("c-4"), null), T0);
    assertSame(drain, s.getDrain());
    assertEquals(List.of("c-4"), s.getConsumerGroupsToDelete());
    assertEquals(false, s.getShardStatuses().get(1).getDraining(), "shard 1 was not asked yet");
  }

  private static DrainStatus drainOf(int from, int to, int... asked) {
    DrainStatus d = new DrainStatus(DrainStatus.Reason.ScaleDown, from, to, T0.toString());
    for (int index : asked) {
      DrainProgress.recordAsked(d, index, T0);
    }
    return d;
  }

  @Test
  void noStatefulSetYetMeansCreating() {
    WsClusterStatus s = StatusBuilder.build(cluster(2), new StatusBuilder.Observed(Optional.empty(),
        Map.of(), Map.of(), null, null, null), T0);
    assertEquals(List.of("Creating"), s.getConditions().stream().filter(c -> c.getType().equals("Ready"))
        .map(c -> c.getReason()).toList());
  }

  @Test
  void withoutSpecAuthTheStatusCarriesAnAuthenticationDisabledWarningThatKeepsItsTime() {
    WsCluster open = cluster(1);
    WsClusterStatus first = StatusBuilder.build(open, new StatusBuilder.Observed(Optional.of(sts(1, 1)),
        Map.of(), Map.of(), null, null, null), T0);
    var warning = first.getConditions().stream().filter(c -> c.getType().equals("Warning")).findFirst().orElseThrow();
    assertEquals("True", warning.getStatus());
    assertEquals("AuthenticationDisabled", warning.getReason());
    assertTrue(warning.getMessage().contains("any channel"), warning.getMessage());
    assertEquals("Ready", first.getConditions().get(0).getType(), "Ready stays first");
    open.setStatus(first);
    WsClusterStatus later = StatusBuilder.build(open, new StatusBuilder.Observed(Optional.of(sts(1, 1)),
        Map.of(), Map.of(), null, null, null), T0.plusSeconds(300));
    assertEquals(warning.getLastTransitionTime(), later.getConditions().get(1).getLastTransitionTime());

    WsCluster secured = cluster(1);
    dev.odin.ws.api.AuthSpec auth = new dev.odin.ws.api.AuthSpec();
    auth.setMode(dev.odin.ws.api.AuthSpec.Mode.JWT);
    secured.getSpec().setAuth(auth);
    WsClusterStatus jwt = StatusBuilder.build(secured, new StatusBuilder.Observed(Optional.of(sts(1, 1)),
        Map.of(), Map.of(), null, null, null), T0);
    assertEquals(List.of("Ready"), jwt.getConditions().stream().map(c -> c.getType()).toList());
  }
}
