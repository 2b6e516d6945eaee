package dev.odin.ws.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README values table lists every value of values.yaml with its default, and nothing else. A value is
 * documented by a "# -- description" comment above its key (the helm-docs convention).
 */
class ReadmeValuesTableTest {

  static final Pattern KEY = Pattern.compile("^( *)([A-Za-z][A-Za-z0-9]*):");
  static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z0-9.]+)` \\| (.*) \\| (.*) \\|$");

  @Test
  void readmeTableListsExactlyTheDocumentedValuesWithTheirDefaults() throws IOException {
    JsonNode values = values();
    Map<String, String> expected = new LinkedHashMap<>();
    documentedValues().forEach((key, description) ->
        expected.put(key, "| `" + key + "` | `" + defaultOf(values, key) + "` | " + description + " |"));

    Map<String, String> actual = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Helm.CHART.resolve("README.md"))) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        actual.put(row.group(1), line);
      }
    }
    assertEquals(expected.keySet(), actual.keySet(), () -> "README values table; expected rows:\n"
        + String.join("\n", expected.values()));
    expected.forEach((key, row) -> assertEquals(
        defaultCell(row), defaultCell(actual.get(key)), "README default of " + key));
  }

  @Test
  void everyValueInValuesYamlIsDocumented() throws IOException {
    List<String> undocumented = new ArrayList<>();
    collectLeaves(values(), "", undocumented);
    Map<String, String> documented = documentedValues();
    undocumented.removeIf(leaf -> documented.keySet().stream().anyMatch(key -> leaf.equals(key) || leaf.startsWith(key + ".")));
    assertEquals(List.of(), undocumented, "values without a \"# --\" comment in values.yaml");
  }

  /** Keys (dotted paths) of values.yaml that carry a "# --" comment, with that comment as description. */
  static Map<String, String> documentedValues() throws IOException {
    Map<String, String> documented = new LinkedHashMap<>();
    Deque<String[]> parents = new ArrayDeque<>(); // {indent, key}
    StringBuilder comment = null;
    for (String line : Files.readAllLines(Helm.CHART.resolve("values.yaml"))) {
      String trimmed = line.strip();
      Matcher key = KEY.matcher(line);
      if (trimmed.startsWith("# --")) {
        comment = new StringBuilder(trimmed.substring(4).strip());
      } else if (trimmed.startsWith("#") && comment != null) {
        comment.append(' ').append(trimmed.substring(1).strip());
      } else if (key.find()) {
        int indent = key.group(1).length();
        while (!parents.isEmpty() && Integer.parseInt(parents.peek()[0]) >= indent) {
          parents.pop();
        }
        parents.push(new String[] {String.valueOf(indent), key.group(2)});
        if (comment != null) {
          List<String> path = new ArrayList<>(parents.stream().map(p -> p[1]).toList());
          Collections.reverse(path);
          documented.put(String.join(".", path), comment.toString().replace("|", "\\|"));
        }
        comment = null;
      } else if (trimmed.isEmpty()) {
        comment = null;
      }
    }
    return documented;
  }

  static JsonNode values() throws IOException {
    return Manifests.YAML.readTree(Helm.CHART.resolve("values.yaml").toFile());
  }

  static String defaultOf(JsonNode values, String key) {
    JsonNode node = values;
    for (String part : key.split("\\.")) {
      node = node.path(part);
    }
    assertTrue(!node.isMissingNode(), "no value " + key);
    return node.toString();
  }

  private static String defaultCell(String row) {
    Matcher m = ROW.matcher(row);
    assertTrue(m.matches(), row);
    return m.group(2);
  }

  private static void collectLeaves(JsonNode node, String path, List<String> leaves) {
    if (node.isObject() && !node.isEmpty()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        collectLeaves(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey(), leaves);
      }
    } else {
      leaves.add(path);
    }
  }
}
