package dev.odin.ws.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads grafana/ (the single source of dashboards and rules) and takes the PromQL out of it. */
final class Grafana {
  static final ObjectMapper JSON = new ObjectMapper();
  static final YAMLMapper YAML = new YAMLMapper();

  /** One PromQL expression and where it comes from, for messages. */
  record Query(String source, String expr) {}

  private Grafana() {}

  static Path root() {
    String root = System.getProperty("odin.repo.root");
    return (root != null ? Path.of(root) : Path.of("..")).toAbsolutePath().normalize();
  }

  static Path dir() {
    return root().resolve("grafana");
  }

  static List<Path> dashboardFiles() {
    return list(dir().resolve("dashboards"), ".json");
  }

  static List<Path> ruleFiles() {
    return list(dir().resolve("rules"), ".yaml");
  }

  static List<Path> list(Path dir, String suffix) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(Path file) {
    try {
      return file.toString().endsWith(".json") ? JSON.readTree(file.toFile()) : YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every panel, rows' nested panels included. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      out.add(panel);
      panel.path("panels").forEach(out::add);
    }
    return out;
  }

  /** Every panel target's expression, with the dashboard variables replaced by {@code values}. */
  static List<Query> panelQueries(Path file, Map<String, String> values) {
    JsonNode dashboard = read(file);
    List<Query> out = new ArrayList<>();
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        out.add(new Query(file.getFileName() + " / " + panel.path("title").asText() + " / "
            + target.path("refId").asText(), substitute(target.path("expr").asText(), values)));
      }
    }
    return out;
  }

  /**
   * The query variables' {@code label_values(selector, label)} as PromQL that returns one series per value
   * ({@code count by (label) (selector)}).
   */
  static List<Query> variableQueries(Path file, Map<String, String> values) {
    List<Query> out = new ArrayList<>();
    Pattern labelValues = Pattern.compile("label_values\\((.*),\\s*(\\w+)\\)");
    for (JsonNode variable : read(file).path("templating").path("list")) {
      if (!"query".equals(variable.path("type").asText())) {
        continue;
      }
      Matcher m = labelValues.matcher(variable.path("query").asText());
      if (!m.matches()) {
        throw new AssertionError(file + ": variable " + variable.path("name") + " is not label_values(...)");
      }
      out.add(new Query(file.getFileName() + " / variable " + variable.path("name").asText(),
          "count by (" + m.group(2) + ") (" + substitute(m.group(1), values) + ")"));
    }
    return out;
  }

  static List<Query> ruleQueries() {
    List<Query> out = new ArrayList<>();
    for (Path file : ruleFiles()) {
      for (JsonNode group : read(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          out.add(new Query(file.getFileName() + " / " + rule.path("alert").asText(rule.path("record").asText()),
              rule.path("expr").asText()));
        }
      }
    }
    return out;
  }

  static String substitute(String expr, Map<String, String> values) {
    String out = expr;
    for (Map.Entry<String, String> v : values.entrySet()) {
      out = out.replace("${" + v.getKey() + "}", v.getValue()).replace("$" + v.getKey(), v.getValue());
    }
    return out;
  }

  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern BRACES = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern LABEL_LISTS =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
      "on", "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");

  /** The metric names a PromQL expression reads (function names, label names and keywords left out). */
  static Set<String> metricNames(String expr) {
    String s = STRINGS.matcher(expr).replaceAll("\"\"");
    s = BRACES.matcher(s).replaceAll(" ");
    s = RANGES.matcher(s).replaceAll(" ");
    s = LABEL_LISTS.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String rest = s.substring(m.end()).stripLeading();
      boolean function = rest.startsWith("(");
      boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
      if (!function && !number && !KEYWORDS.contains(m.group())) {
        names.add(m.group());
      }
    }
    return names;
  }
}
