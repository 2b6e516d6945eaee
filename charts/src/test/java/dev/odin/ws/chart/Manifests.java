package dev.odin.ws.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The objects of a rendered chart: each document as YAML tree and as fabric8 typed object. */
record Manifests(List<Manifests.Doc> docs) {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Doc(ObjectNode tree, HasMetadata object) {
    String kind() {
      return object.getKind();
    }

    String name() {
      return object.getMetadata().getName();
    }
  }

  static Manifests parse(String renderedYaml) {
    List<Doc> docs = new ArrayList<>();
    try (var parser = YAML.createParser(renderedYaml)) {
      for (JsonNode node : YAML.readValues(parser, JsonNode.class).readAll()) {
        if (node instanceof ObjectNode tree && !tree.isEmpty()) {
          docs.add(new Doc(tree, Serialization.unmarshal(tree.toString(), HasMetadata.class)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered chart is not YAML", e);
    }
    return new Manifests(List.copyOf(docs));
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return docs.stream().map(Doc::object).filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
    }
    return found.get(0);
  }

  List<String> kinds() {
    return docs.stream().map(Doc::kind).sorted().toList();
  }

  /** Every document that fabric8 could not map to a typed class (a kind it does not know). */
  List<String> untyped() {
    return docs.stream()
        .filter(d -> d.object() instanceof GenericKubernetesResource)
        .map(d -> d.tree().path("apiVersion").asText() + "/" + d.tree().path("kind").asText())
        .toList();
  }

  /** Paths of fields the typed model did not know: typos, misplaced or misspelt keys. */
  static List<String> unknownFields(Object typed) {
    List<String> found = new ArrayList<>();
    walk(typed, "", found);
    return found;
  }

  /** Paths where two trees differ, for round-trip checks. */
  static List<String> differences(JsonNode expected, JsonNode actual) {
    List<String> found = new ArrayList<>();
    diff(expected, actual, "", found);
    return found;
  }

  private static void diff(JsonNode expected, JsonNode actual, String path, List<String> found) {
    if (expected.isObject() && actual.isObject()) {
      Set<String> names = new TreeSet<>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      names.forEach(name -> diff(expected.path(name), actual.path(name), path + "." + name, found));
    } else if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
      for (int i = 0; i < expected.size(); i++) {
        diff(expected.get(i), actual.get(i), path + "[" + i + "]", found);
      }
    } else if (expected.isNumber() && actual.isNumber()) {
      if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) { // an int may come back as a long
        found.add(path + ": " + expected + " became " + actual);
      }
    } else if (!expected.equals(actual)) {
      found.add(path + ": " + expected + " became " + actual);
    }
  }

  private static void walk(Object value, String path, List<String> found) {
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", found);
      }
    } else if (value instanceof Map<?, ?> map) {
      map.forEach((key, item) -> walk(item, path + "." + key, found));
    } else if (value != null && value.getClass().getName().startsWith("io.fabric8.")) {
      for (Method getter : value.getClass().getMethods()) {
        if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || !isModel(getter)) {
          continue;
        }
        Object child = invoke(getter, value);
        if (getter.getName().equals("getAdditionalProperties")) {
          if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
            found.add((path.isEmpty() ? "." : path) + " " + extra.keySet());
          }
        } else {
          String field = getter.getName().substring(3);
          walk(child, path + "." + Character.toLowerCase(field.charAt(0)) + field.substring(1), found);
        }
      }
    }
  }

  private static boolean isModel(Method getter) {
    Class<?> type = getter.getReturnType();
    return Collection.class.isAssignableFrom(type)
        || Map.class.isAssignableFrom(type)
        || type.getName().startsWith("io.fabric8.");
  }

  private static Object invoke(Method getter, Object target) {
    try {
      return getter.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + getter, e);
    }
  }

  Stream<Doc> stream() {
    return docs.stream();
  }
}
