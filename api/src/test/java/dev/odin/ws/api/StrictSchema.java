package dev.odin.ws.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates a WsCluster document against the CRD's openAPIV3Schema as {@code kubectl apply --validate=strict} would:
 * unknown fields are errors ({@code additionalProperties: false} wherever the schema lists properties). The
 * {@code x-kubernetes-validations} rules are checked by a tiny evaluator that understands exactly the shapes our
 * rules use (see {@link #evaluate}) and fails on any other rule text.
 */
final class StrictSchema {
  private static final Pattern NOT_HAS = Pattern.compile("!has\\(self\\.(\\w+)\\)");
  private static final Pattern LESS_EQ = Pattern.compile("self\\.(\\w+) <= self\\.(\\w+)");
  private static final Pattern NAME_SIZE = Pattern.compile("self\\.metadata\\.name\\.size\\(\\) <= (\\d+)");
  private final JsonNode crdSchema;
  private final Schema schema;

  StrictSchema(JsonNode openApiSchema) {
    this.crdSchema = openApiSchema;
    ObjectNode root = openApiSchema.deepCopy();
    // The API server itself accepts these on every object; fabric8's generated schema leaves them out.
    ObjectNode props = root.with("properties");
    props.putObject("apiVersion").put("type", "string");
    props.putObject("kind").put("type", "string");
    props.putObject("metadata").put("type", "object");
    JsonNode strict = strict(root);
    this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
        .getSchema(strict.toString(), InputFormat.JSON);
  }

  /** Every problem: schema errors, then failed validation rules. */
  List<String> validate(JsonNode document) {
    List<String> out = new ArrayList<>();
    for (Error e : schema.validate(document.toString(), InputFormat.JSON)) {
      out.add(e.getInstanceLocation() + ": " + e.getMessage());
    }
    rules(crdSchema, document, "$", out);
    return out;
  }

  private static JsonNode strict(JsonNode node) {
    if (node instanceof ObjectNode obj) {
      List<String> ext = new ArrayList<>();
      obj.fieldNames().forEachRemaining(f -> {
        if (f.startsWith("x-kubernetes-")) {
          ext.add(f);
        }
      });
      boolean preserve = obj.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
      obj.remove(ext);
      if (obj.has("properties") && !preserve && !obj.has("additionalProperties")) {
        obj.put("additionalProperties", false);
      }
      obj.elements().forEachRemaining(StrictSchema::strict);
    } else if (node instanceof ArrayNode arr) {
      arr.forEach(StrictSchema::strict);
    }
    return node;
  }

  private static void rules(JsonNode schemaNode, JsonNode value, String path, List<String> out) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return;
    }
    for (JsonNode rule : schemaNode.path("x-kubernetes-validations")) {
      if (!evaluate(rule.path("rule").asText(), value)) {
        out.add(path + ": " + rule.path("message").asText(rule.path("rule").asText()));
      }
    }
    if (value.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> props = schemaNode.path("properties").fields();
      while (props.hasNext()) {
        Map.Entry<String, JsonNode> p = props.next();
        rules(p.getValue(), value.get(p.getKey()), path + "." + p.getKey(), out);
      }
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        rules(schemaNode.path("items"), value.get(i), path + "[" + i + "]", out);
      }
    }
  }

  /**
   * The tiny CEL subset: {@code term || term ...}, term = {@code !has(self.f)} | {@code self.a <= self.b} |
   * {@code self.metadata.name.size() <= N}.
   */
  static boolean evaluate(String rule, JsonNode self) {
    for (String term : rule.split("\\|\\|")) {
      String t = term.trim();
      Matcher notHas = NOT_HAS.matcher(t);
      Matcher lessEq = LESS_EQ.matcher(t);
      Matcher nameSize = NAME_SIZE.matcher(t);
      if (nameSize.matches()) {
        if (self.path("metadata").path("name").asText().length() <= Integer.parseInt(nameSize.group(1))) {
          return true;
        }
      } else if (notHas.matches()) {
        if (!self.has(notHas.group(1))) {
          return true;
        }
      } else if (lessEq.matches()) {
        if (self.path(lessEq.group(1)).asLong() <= self.path(lessEq.group(2)).asLong()) {
          return true;
        }
      } else {
        throw new IllegalArgumentException("the test evaluator does not understand CEL term '" + t + "' of " + rule);
      }
    }
    return false;
  }
}
