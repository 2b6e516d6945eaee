package dev.odin.ws.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterYaml;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rendered object survives a round trip through YAML and fabric8's typed model with no unknown field: a
 * typo in a model (a field Kubernetes would prune or reject) lands in some additionalProperties map.
 */
class RenderedObjectsTest {
  @ParameterizedTest
  @ValueSource(strings = {"wscluster-minimal.yaml", "wscluster-full.yaml"})
  void everyRenderedObjectRoundTripsWithoutUnknownFields(String example) throws Exception {
    WsCluster cr = WsClusterYaml.load(Path.of("../examples", example));
    cr.getMetadata().setNamespace("ns");
    cr.getMetadata().setUid("uid-1");
    List<HasMetadata> objects = List.of(
        ShardConfigModel.desired(cr),
        ShardStatefulSetModel.desired(cr, "shard:1", 3),
        ShardServicesModel.headless(cr),
        ShardServicesModel.publicService(cr),
        ShardServicesModel.podDisruptionBudget(cr),
        EnvoyModel.config(cr),
        EnvoyModel.deployment(cr, "envoy:1"),
        EnvoyModel.metricsService(cr),
        ServiceMonitorModel.desired(cr));
    for (HasMetadata o : objects) {
      String yaml = Serialization.asYaml(o);
      HasMetadata back = Serialization.unmarshal(yaml, o.getClass());
      List<String> unknown = new ArrayList<>();
      walk(back, o.getKind(), unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
      assertEquals(List.of(), unknown, o.getKind() + " has unknown fields:\n" + yaml);
      assertEquals(Serialization.asYaml(o), Serialization.asYaml(back), o.getKind() + " changed in the round trip");
    }
  }

  @org.junit.jupiter.api.Test
  void theWalkFindsAFieldTheTypedModelDoesNotKnow() throws Exception {
    var sts = Serialization.unmarshal(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec:\n  replica: 2\n  template:\n"
            + "    spec:\n      containers: [{name: c, imagePullPolcy: Always}]\n",
        io.fabric8.kubernetes.api.model.apps.StatefulSet.class);
    List<String> unknown = new ArrayList<>();
    walk(sts, "StatefulSet", unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
    assertEquals(2, unknown.size(), unknown.toString());
  }

  private static void walk(Object node, String path, List<String> unknown, Set<Object> seen) throws Exception {
    if (node == null || !seen.add(node)) {
      return;
    }
    if (node instanceof Collection<?> c) {
      int i = 0;
      for (Object item : c) {
        walk(item, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        walk(e.getValue(), path + "." + e.getKey(), unknown, seen);
      }
      return;
    }
    if (!(node instanceof KubernetesResource) && !node.getClass().getName().startsWith("dev.odin")) {
      return;
    }
    for (Method m : node.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
        continue;
      }
      Object value = m.invoke(node);
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        }
      } else {
        walk(value, path + "." + m.getName().substring(3), unknown, seen);
      }
    }
  }
}
