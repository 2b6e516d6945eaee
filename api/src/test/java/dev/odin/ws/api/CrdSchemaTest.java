package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CrdSchemaTest {
  private static final StrictSchema SCHEMA = new StrictSchema(CrdFiles.openApiSchema());

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(CrdFiles.examples())) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertFalse(list.isEmpty(), "no examples found in " + CrdFiles.examples());
      return list.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleValidatesStrictlyAgainstTheGeneratedSchema(Path example) throws IOException {
    assertEquals(List.of(), SCHEMA.validate(CrdFiles.YAML.readTree(example.toFile())));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleLoadsThroughTheLocalModeLoader(Path example) {
    WsCluster cr = WsClusterYaml.load(example);
    assertTrue(cr.getSpec().getShards() >= 0);
  }

  @Test
  void negativeShardsAreRejectedWithTheMinimum() {
    List<String> problems = SCHEMA.validate(minimal(spec -> spec.put("shards", -1)));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("shards") && problems.get(0).contains("0"), problems.toString());
  }

  @Test
  void anUnknownFieldIsRejectedAsStrictValidationDoes() {
    List<String> problems = SCHEMA.validate(minimal(spec -> spec.put("shardz", 3)));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("shardz"), problems.toString());
  }

  @Test
  void minShardsAboveMaxShardsIsRejectedByTheValidationRule() {
    List<String> problems = SCHEMA.validate(minimal(spec -> spec.putObject("autoscaling")
        .put("mode", "Auto").put("minShards", 5).put("maxShards", 2)));
    assertEquals(List.of("$.spec.autoscaling: " + AutoscalingSpec.MIN_LE_MAX_MESSAGE), problems);
  }

  @Test
  void validationRuleAllowsEqualBoundsAndASingleBound() {
    assertEquals(List.of(), SCHEMA.validate(minimal(spec -> spec.putObject("autoscaling")
        .put("minShards", 3).put("maxShards", 3))));
    assertEquals(List.of(), SCHEMA.validate(minimal(spec -> spec.putObject("autoscaling").put("minShards", 30))));
  }

  @Test
  void theCrdCarriesExactlyTheRuleTheJavaValidatorMirrors() {
    JsonNode rules = CrdFiles.openApiSchema().at("/properties/spec/properties/autoscaling/x-kubernetes-validations");
    assertEquals(1, rules.size());
    assertEquals(AutoscalingSpec.MIN_LE_MAX_RULE, rules.get(0).path("rule").asText());
  }

  @Test
  void aNameTooLongForTheShardStatefulSetIsRejected() {
    ObjectNode doc = (ObjectNode) minimal(spec -> {});
    ((ObjectNode) doc.get("metadata")).put("name", "n".repeat(47));
    assertEquals(List.of("$: " + WsCluster.NAME_LENGTH_MESSAGE), SCHEMA.validate(doc));
    ((ObjectNode) doc.get("metadata")).put("name", "n".repeat(46));
    assertEquals(List.of(), SCHEMA.validate(doc));
  }

  @Test
  void aMissingKafkaSectionIsRejected() {
    JsonNode doc = minimal(spec -> spec.remove("kafka"));
    assertTrue(SCHEMA.validate(doc).toString().contains("kafka"));
  }

  @Test
  void everyOwnSpecAndStatusFieldHasADescription() {
    List<String> missing = new ArrayList<>();
    JsonNode root = CrdFiles.openApiSchema().path("properties");
    undescribed(root.path("spec").path("properties"), "spec", missing);
    undescribed(root.path("status").path("properties"), "status", missing);
    assertEquals(List.of(), missing);
  }

  @Test
  void scaleSubresourcePointsAtShardsAndSelector() throws IOException {
    JsonNode version = CrdFiles.YAML.readTree(CrdFiles.generatedText()).at("/spec/versions/0");
    JsonNode scale = version.at("/subresources/scale");
    assertEquals(".spec.shards", scale.path("specReplicasPath").asText());
    assertEquals(".status.shards", scale.path("statusReplicasPath").asText());
    assertEquals(".status.selector", scale.path("labelSelectorPath").asText());
    assertTrue(version.at("/subresources/status").isObject());
    List<String> columns = new ArrayList<>();
    version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
    assertTrue(columns.containsAll(List.of("Shards", "Ready", "Connections", "Age")), columns.toString());
  }

  private static void undescribed(JsonNode properties, String path, List<String> missing) {
    Iterator<Map.Entry<String, JsonNode>> it = properties.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String p = path + "." + e.getKey();
      if (!e.getValue().hasNonNull("description")) {
        missing.add(p);
      }
      boolean ownType = !p.startsWith("spec.resources") && !p.startsWith("status.conditions");
      if (ownType) {
        undescribed(e.getValue().path("properties"), p, missing);
        undescribed(e.getValue().path("items").path("properties"), p + "[]", missing);
      }
    }
  }

  private static JsonNode minimal(java.util.function.Consumer<ObjectNode> editSpec) {
    ObjectNode doc = CrdFiles.YAML.createObjectNode();
    doc.put("apiVersion", WsCluster.API_VERSION).put("kind", WsCluster.KIND);
    doc.putObject("metadata").put("name", "c");
    ObjectNode spec = doc.putObject("spec");
    spec.put("shards", 1);
    ObjectNode kafka = spec.putObject("kafka");
    kafka.put("bootstrapServers", "k:9092");
    kafka.putArray("topics").addObject().put("name", "t");
    editSpec.accept(spec);
    return doc;
  }
}
