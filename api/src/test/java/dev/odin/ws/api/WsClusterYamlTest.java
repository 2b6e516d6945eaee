package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WsClusterYamlTest {
  private static final String HEAD = "apiVersion: ws.odin.dev/v1alpha1\nkind: WsCluster\nmetadata: {name: c}\n";
  private static final String KAFKA = "  kafka: {bootstrapServers: 'k:9092', topics: [{name: t}]}\n";

  @Test
  void validDocumentLoads() {
    WsCluster cr = WsClusterYaml.parse(HEAD + "spec:\n  shards: 3\n" + KAFKA, "test");
    assertEquals(3, cr.getSpec().getShards());
    assertEquals("c-2", WsClusterDefaults.consumerGroup(cr, 2));
  }

  @Test
  void unknownFieldIsNamedWithItsPath() {
    InvalidWsClusterException e = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(HEAD + "spec:\n  shards: 3\n  drain: {secs: 4}\n" + KAFKA, "f.yaml"));
    assertTrue(e.getMessage().contains("spec.drain") && e.getMessage().contains("secs"), e.getMessage());
    assertTrue(e.getMessage().contains("f.yaml"), e.getMessage());
  }

  @Test
  void negativeShardsAreRejectedWithTheBound() {
    InvalidWsClusterException e = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(HEAD + "spec:\n  shards: -2\n" + KAFKA, "test"));
    assertEquals(
        "spec.shards: Invalid value: -2: should be greater than or equal to 0", e.problems().get(0));
  }

  @Test
  void minShardsAboveMaxShardsIsRejectedLikeTheCrdRule() {
    InvalidWsClusterException e = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(
            HEAD + "spec:\n  autoscaling: {minShards: 4, maxShards: 2}\n" + KAFKA, "test"));
    assertTrue(e.problems().get(0).contains(AutoscalingSpec.MIN_LE_MAX_MESSAGE), e.getMessage());
  }

  @Test
  void aLoneMinShardsAboveTheDefaultMaxShardsIsRejectedAsTheApiServerDoes() {
    InvalidWsClusterException e = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(HEAD + "spec:\n  autoscaling: {minShards: 30}\n" + KAFKA, "test"));
    assertTrue(e.problems().get(0).contains("(minShards 30, maxShards 10)"), e.getMessage());
  }

  @Test
  void aCpuTargetOutsideZeroToOneIsRejectedWithTheBound() {
    InvalidWsClusterException zero = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(HEAD + "spec:\n  autoscaling: {targetCpuUtilization: 0}\n" + KAFKA, "test"));
    assertEquals("spec.autoscaling.targetCpuUtilization: Invalid value: 0.0: should be greater than 0",
        zero.problems().get(0));
    InvalidWsClusterException over = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(HEAD + "spec:\n  autoscaling: {targetCpuUtilization: 1.5}\n" + KAFKA, "test"));
    assertEquals("spec.autoscaling.targetCpuUtilization: Invalid value: 1.5: should be less than or equal to 1",
        over.problems().get(0));
  }

  @Test
  void theNewAutoscalingAndRebalanceFieldsLoadWithTheirDefaultsFilledIn() {
    WsCluster cr = WsClusterYaml.parse(HEAD + "spec:\n  rebalance: \"Off\"\n  autoscaling: {mode: Auto, "
        + "targetCpuUtilization: 0.7, scaleUpStabilizationSeconds: 5, maxShardsPerStep: 2}\n" + KAFKA, "test");
    assertEquals(WsClusterSpec.Rebalance.Off, WsClusterDefaults.rebalance(cr));
    Autoscaler.Policy p = WsClusterDefaults.autoscalingPolicy(cr);
    assertEquals(new Autoscaler.Policy(1, 10, 5000, 0.7, 5, 300, 2), p);
    WsCluster defaults = WsClusterYaml.parse(HEAD + "spec:\n" + KAFKA, "test");
    assertEquals(WsClusterSpec.Rebalance.Auto, WsClusterDefaults.rebalance(defaults));
    assertEquals(new Autoscaler.Policy(1, 10, 5000, null, 30, 300, 4), WsClusterDefaults.autoscalingPolicy(defaults));
  }

  @Test
  void aBareOffThatYamlReadsAsABooleanIsRejectedSayingToQuoteIt() {
    InvalidWsClusterException e = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(HEAD + "spec:\n  rebalance: Off\n" + KAFKA, "test"));
    assertTrue(e.problems().get(0).startsWith("spec.rebalance: "), e.getMessage());
    assertTrue(e.problems().get(0).endsWith("quote the value, e.g. \"Off\")"), e.getMessage());
  }

  @Test
  void aZeroStepIsRejected() {
    InvalidWsClusterException e = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(HEAD + "spec:\n  autoscaling: {maxShardsPerStep: 0}\n" + KAFKA, "test"));
    assertEquals("spec.autoscaling.maxShardsPerStep: Invalid value: 0: should be greater than or equal to 1",
        e.problems().get(0));
  }

  @Test
  void everyProblemIsListedAtOnce() {
    InvalidWsClusterException e = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(HEAD + "spec:\n  shards: -1\n  balancer: {port: 70000}\n"
            + "  kafka: {topics: []}\n", "test"));
    assertEquals(4, e.problems().size(), e.getMessage());
  }

  @Test
  void badEnumValueIsRejectedWithTheField() {
    InvalidWsClusterException e = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(HEAD + "spec:\n  balancer: {type: envoy}\n" + KAFKA, "test"));
    assertTrue(e.getMessage().contains("spec.balancer.type"), e.getMessage());
  }

  @Test
  void aNameTooLongForTheShardStatefulSetIsRejected() {
    String head = HEAD.replace("name: c", "name: " + "c".repeat(47));
    InvalidWsClusterException e = assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse(head + "spec:\n" + KAFKA, "test"));
    assertTrue(e.problems().get(0).startsWith("metadata.name"), e.getMessage());
  }

  @Test
  void wrongKindIsRejected() {
    assertThrows(InvalidWsClusterException.class,
        () -> WsClusterYaml.parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "test"));
  }
}
