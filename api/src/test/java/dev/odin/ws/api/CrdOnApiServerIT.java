package dev.odin.ws.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odin.ws.testenv.CommandResult;
import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checked-in CRD on a real kube-apiserver, through the real kubectl: what a user who applies a WsCluster sees.
 * The API server, not a copy of its rules, decides: structural schema, CEL rules and their cost budget, pruning and
 * strict field validation, the scale subresource and the printer columns.
 */
@ExtendWith(ControlPlaneExtension.class)
class CrdOnApiServerIT {
  private static KubeControlPlane plane;
  private static String ns;

  @BeforeAll
  static void installCrd(KubeControlPlane controlPlane) {
    plane = controlPlane;
    plane.installCrd(CrdFiles.checkedIn(), WsCluster.CRD_NAME);
    ns = plane.createNamespace("crd");
  }

  @Test
  void theApiServerAcceptsTheCrdAsStructuralWithinTheCelCostBudget() throws IOException {
    JsonNode crd = json(plane.kubectl("get", "crd", WsCluster.CRD_NAME, "-o", "json").orFail());
    List<String> conditions = crd.at("/status/conditions").findValuesAsText("type");
    assertTrue(conditions.containsAll(List.of("NamesAccepted", "Established")), conditions.toString());
    assertFalse(conditions.contains("NonStructuralSchema"), conditions.toString());
    assertEquals("wsc", crd.at("/status/acceptedNames/shortNames/0").asText());
  }

  @ParameterizedTest
  @MethodSource("dev.odin.ws.api.CrdFiles#exampleFiles")
  void everyExampleIsAcceptedByKubectlApplyWithStrictValidation(Path example) throws IOException {
    JsonNode doc = CrdFiles.YAML.readTree(example.toFile());
    String namespace = doc.at("/metadata/namespace").asText(ns);
    if (plane.adminClient().namespaces().withName(namespace).get() == null) {
      plane.adminClient().namespaces().resource(
          new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    }
    CommandResult applied = plane.kubectl("apply", "--validate=strict", "-n", namespace, "-f", example.toString());
    assertEquals(0, applied.exitCode(), applied::toString);
    assertTrue(applied.stdout().contains("wscluster.ws.odin.dev/" + doc.at("/metadata/name").asText() + " created"),
        applied.stdout());
    assertEquals("", applied.stderr(), "strict validation warned");
  }

  @Test
  void negativeShardsAreRefusedWithTheMinimum() {
    CommandResult refused = applyStrict("negative", "shards: -1");
    assertRefused(refused, "spec.shards: Invalid value: -1: spec.shards in body should be greater than or equal to 0");
  }

  @Test
  void minShardsAboveMaxShardsIsRefusedByTheCelRuleWithItsMessage() {
    CommandResult refused = applyStrict("bounds", "shards: 1", "autoscaling:", "  mode: Auto", "  minShards: 5",
        "  maxShards: 2");
    assertRefused(refused, "The WsCluster \"bounds\" is invalid: spec.autoscaling: Invalid value: "
        + AutoscalingSpec.MIN_LE_MAX_MESSAGE);
  }

  @Test
  void theCelRuleAllowsEqualBoundsAndASingleBoundWithinTheOtherBoundsDefault() {
    applyStrict("equal", "shards: 3", "autoscaling:", "  minShards: 3", "  maxShards: 3").orFail();
    applyStrict("single", "shards: 3", "autoscaling:", "  minShards: 4").orFail();
  }

  @Test
  void aLoneMinShardsAboveTheDefaultMaxShardsIsRefusedSayingWhatTheDefaultIs() {
    CommandResult refused = applyStrict("lonemin", "shards: 3", "autoscaling:", "  minShards: 30");
    assertRefused(refused, AutoscalingSpec.MIN_LE_MAX_MESSAGE);
    assertTrue(refused.stderr().contains("maxShards is " + WsClusterDefaults.MAX_SHARDS), refused.stderr());
  }

  @Test
  void aCpuTargetAboveOneOrAtZeroIsRefusedWithTheBound() {
    assertRefused(applyStrict("cpuhigh", "autoscaling:", "  targetCpuUtilization: 1.5"),
        "spec.autoscaling.targetCpuUtilization: Invalid value: 1.5: spec.autoscaling.targetCpuUtilization in body "
            + "should be less than or equal to 1");
    assertRefused(applyStrict("cpuzero", "autoscaling:", "  targetCpuUtilization: 0"),
        "spec.autoscaling.targetCpuUtilization in body should be greater than 0");
    applyStrict("cpuok", "autoscaling:", "  targetCpuUtilization: 0.7").orFail();
  }

  @Test
  void anUnknownRebalanceModeIsRefusedNamingTheModes() {
    assertRefused(applyStrict("rebalance", "rebalance: Sometimes"),
        "spec.rebalance: Unsupported value: \"Sometimes\": supported values: \"Auto\", \"Off\"");
  }

  @Test
  void aBareOffIsReadByKubectlAsABooleanAndRefusedAsNotAString() {
    // YAML 1.1: a bare Off is false. The docs say to quote it; the API server says what arrived.
    assertRefused(applyStrict("bareoff", "rebalance: Off"),
        "spec.rebalance: Invalid value: \"boolean\": spec.rebalance in body must be of type string");
    applyStrict("quotedoff", "rebalance: \"Off\"").orFail();
  }

  @Test
  void rebalanceDefaultsToAuto() throws IOException {
    applyStrict("rebalancedefault", "shards: 1").orFail();
    assertEquals("Auto", json(plane.kubectl("get", "-n", ns, "wsc/rebalancedefault", "-o", "json").orFail())
        .at("/spec/rebalance").asText());
  }

  @Test
  void aWrongTypeIsRefusedNamingTheFieldAndTheExpectedType() {
    CommandResult refused = applyStrict("wrongtype", "shards: three");
    assertRefused(refused, "spec.shards: Invalid value: \"string\": spec.shards in body must be of type integer");
  }

  @Test
  void anUnknownFieldIsRefusedUnderStrictValidation() {
    CommandResult refused = applyStrict("unknown", "shards: 1", "shardz: 3");
    assertRefused(refused, "unknown field \"spec.shardz\"");
  }

  @Test
  void aMissingKafkaSectionIsRefused() {
    CommandResult refused = plane.kubectlWithInput("""
        apiVersion: ws.odin.dev/v1alpha1
        kind: WsCluster
        metadata:
          name: nokafka
        spec:
          shards: 1
        """, "apply", "--validate=strict", "-n", ns, "-f", "-");
    assertRefused(refused, "spec.kafka: Required value");
  }

  @Test
  void aNameTooLongForTheShardStatefulSetIsRefusedWithTheReason() {
    String name = "n".repeat(47);
    CommandResult refused = plane.kubectlWithInput(manifest(name, "shards: 1"),
        "apply", "--validate=strict", "-n", ns, "-f", "-");
    assertRefused(refused, WsCluster.NAME_LENGTH_MESSAGE);
    CommandResult accepted = plane.kubectlWithInput(manifest("n".repeat(46), "shards: 1"),
        "apply", "--validate=strict", "-n", ns, "-f", "-");
    assertEquals(0, accepted.exitCode(), accepted::toString);
  }

  @Test
  void kubectlExplainDescribesTheKafkaFields() {
    String explained = plane.kubectl("explain", "wsc.spec.kafka").orFail().stdout();
    for (String field : List.of("bootstrapServers", "topics", "consumerGroupPrefix", "secretRef")) {
      assertTrue(explained.contains(field), field + " missing from:\n" + explained);
    }
    assertTrue(explained.contains("GROUP:      ws.odin.dev"), explained);
  }

  @Test
  void kubectlScaleWritesSpecShardsThroughTheScaleSubresourceAndGetShowsThePrinterColumns() throws IOException {
    applyStrict("scaled", "shards: 2").orFail();
    plane.kubectl("scale", "-n", ns, "wsc/scaled", "--replicas=5").orFail();
    assertEquals(5, json(plane.kubectl("get", "-n", ns, "wsc/scaled", "-o", "json").orFail())
        .at("/spec/shards").asInt());
    JsonNode scale = json(plane.kubectl("get", "--raw",
        "/apis/ws.odin.dev/v1alpha1/namespaces/" + ns + "/wsclusters/scaled/scale").orFail());
    assertEquals(5, scale.at("/spec/replicas").asInt());
    String table = plane.kubectl("get", "-n", ns, "wsc", "scaled").orFail().stdout();
    String header = table.lines().findFirst().orElseThrow();
    assertEquals(List.of("NAME", "SHARDS", "READY", "CONNECTIONS", "AGE"), List.of(header.trim().split("\\s+")),
        table);
  }

  @Test
  void statusIsASubresourceThatAnUpdateOfTheWholeObjectCannotWrite() throws IOException {
    applyStrict("statusonly", "shards: 1").orFail();
    CommandResult merged = plane.kubectl("patch", "-n", ns, "wsc/statusonly", "--type=merge",
        "-p", "{\"status\":{\"connections\":7}}").orFail();
    assertTrue(merged.stdout().contains("no change"), merged.stdout());
    plane.kubectl("patch", "-n", ns, "wsc/statusonly", "--subresource=status", "--type=merge",
        "-p", "{\"status\":{\"connections\":7}}").orFail();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        json(plane.kubectl("get", "-n", ns, "wsc/statusonly", "-o", "json")).at("/status/connections").asInt() == 7);
  }

  private static CommandResult applyStrict(String name, String... specLines) {
    return plane.kubectlWithInput(manifest(name, specLines), "apply", "--validate=strict", "-n", ns, "-f", "-");
  }

  private static String manifest(String name, String... specLines) {
    StringBuilder yaml = new StringBuilder("apiVersion: ws.odin.dev/v1alpha1\nkind: WsCluster\nmetadata:\n  name: ")
        .append(name).append("\nspec:\n");
    for (String line : specLines) {
      yaml.append("  ").append(line).append('\n');
    }
    return yaml.append("  kafka:\n    bootstrapServers: k:9092\n    topics:\n      - name: t\n").toString();
  }

  /** Refused by the API server (not by kubectl), nothing stored, and the user reads {@code message}. */
  private static void assertRefused(CommandResult result, String message) {
    assertEquals(1, result.exitCode(), result::toString);
    assertTrue(result.stderr().contains(message), () -> "expected \"" + message + "\" in:\n" + result.stderr());
  }

  private static JsonNode json(CommandResult result) throws IOException {
    return CrdFiles.YAML.readTree(result.orFail().stdout());
  }
}
