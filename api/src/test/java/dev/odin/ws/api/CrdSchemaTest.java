package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the CRD says offline: descriptions for `kubectl explain`, the rule the local-mode validator mirrors, and that the
 * examples load in local mode. What the API server decides (bounds, the CEL rule, strict validation, the scale
 * subresource, printer columns) is proven on a real one in {@link CrdOnApiServerIT}.
 */
class CrdSchemaTest {
  @ParameterizedTest
  @MethodSource("dev.odin.ws.api.CrdFiles#exampleFiles")
  void everyExampleLoadsThroughTheLocalModeLoader(Path example) {
    WsCluster cr = WsClusterYaml.load(example);
    assertTrue(cr.getSpec().getShards() >= 0);
  }

  @Test
  void theCrdCarriesExactlyTheRuleTheJavaValidatorMirrors() {
    JsonNode rules = CrdFiles.openApiSchema().at("/properties/spec/properties/autoscaling/x-kubernetes-validations");
    assertEquals(1, rules.size());
    assertEquals(AutoscalingSpec.MIN_LE_MAX_RULE, rules.get(0).path("rule").asText());
  }

  @Test
  void everyOwnSpecAndStatusFieldHasADescription() {
    List<String> missing = new ArrayList<>();
    JsonNode root = CrdFiles.openApiSchema().path("properties");
    undescribed(root.path("spec").path("properties"), "spec", missing);
    undescribed(root.path("status").path("properties"), "status", missing);
    assertEquals(List.of(), missing);
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
}
