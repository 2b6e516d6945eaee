package dev.odin.ws.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.DrainSpec;
import dev.odin.ws.api.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardStatefulSetModelTest {
  private static StatefulSet sts(dev.odin.ws.api.WsCluster cr) {
    return ShardStatefulSetModel.desired(cr, "shard:default", cr.getSpec().getShards());
  }

  private static Container shard(StatefulSet sts) {
    return sts.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void replicasFollowTheGivenCountAndPodsStartInParallel() {
    StatefulSet sts = ShardStatefulSetModel.desired(Fixtures.CLUSTER, "shard:default", 5);
    assertEquals(5, sts.getSpec().getReplicas());
    assertEquals("Parallel", sts.getSpec().getPodManagementPolicy());
    assertEquals("prices-shard", sts.getMetadata().getName());
    assertEquals("prices-shards", sts.getSpec().getServiceName());
  }

  @Test
  void shardIndexComesFromThePodIndexLabelAndTheRestFromTheConfigMap() {
    Container c = shard(sts(Fixtures.CLUSTER));
    EnvVar index = c.getEnv().get(0);
    assertEquals("ODIN_WS_SHARD_INDEX", index.getName());
    assertEquals("metadata.labels['apps.kubernetes.io/pod-index']", index.getValueFrom().getFieldRef().getFieldPath());
    assertEquals("prices-shard-config", c.getEnvFrom().get(0).getConfigMapRef().getName());
    Map<String, String> env = ShardConfigModel.desired(Fixtures.CLUSTER).getData();
    assertEquals("prices", env.get("ODIN_WS_KAFKA_CONSUMER_GROUP_PREFIX"));
    assertEquals("prices={key},trades={key}.trade", env.get("ODIN_WS_KAFKA_TOPICS"));
    assertEquals("kafka:9092", env.get("ODIN_WS_KAFKA_BOOTSTRAP_SERVERS"));
  }

  @Test
  void probesHitTheManagementPortAndPortsAreNamed() {
    Container c = shard(sts(Fixtures.CLUSTER));
    assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("management", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("/healthz", c.getLivenessProbe().getHttpGet().getPath());
    assertEquals(8080, c.getPorts().get(0).getContainerPort());
    assertEquals(9090, c.getPorts().get(1).getContainerPort());
  }

  @Test
  void terminationGraceOutlastsTheDrainWindow() {
    StatefulSet sts = sts(Fixtures.edit(cr -> {
      DrainSpec d = new DrainSpec();
      d.setSeconds(90);
      cr.getSpec().setDrain(d);
    }));
    assertTrue(sts.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > 90);
    assertTrue(sts(Fixtures.CLUSTER).getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > 30);
  }

  @Test
  void resourcesAndImageComeFromTheSpec() {
    StatefulSet sts = sts(Fixtures.edit(cr -> {
      cr.getSpec().setImage("shard:custom");
      cr.getSpec().setResources(new ResourceRequirementsBuilder()
          .addToLimits("cpu", new Quantity("2")).addToRequests("memory", new Quantity("1Gi")).build());
    }));
    assertEquals("shard:custom", shard(sts).getImage());
    assertEquals(new Quantity("2"), shard(sts).getResources().getLimits().get("cpu"));
    assertEquals("shard:default", shard(sts(Fixtures.CLUSTER)).getImage());
  }

  @Test
  void aConfigChangeChangesThePodTemplateHash() {
    String before = sts(Fixtures.CLUSTER).getSpec().getTemplate().getMetadata().getAnnotations()
        .get(ShardStatefulSetModel.CONFIG_HASH_ANNOTATION);
    String after = sts(Fixtures.edit(cr -> cr.getSpec().getKafka().setBootstrapServers("other:9092")))
        .getSpec().getTemplate().getMetadata().getAnnotations().get(ShardStatefulSetModel.CONFIG_HASH_ANNOTATION);
    assertNotEquals(before, after);
  }

  @Test
  void kafkaSecretIsMountedWhereTheEnvPointsAt() {
    dev.odin.ws.api.WsCluster cr = Fixtures.edit(c -> {
      SecretKeyRef ref = new SecretKeyRef();
      ref.setName("kafka-client");
      c.getSpec().getKafka().setSecretRef(ref);
    });
    StatefulSet sts = sts(cr);
    assertEquals("kafka-client", sts.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getSecret() != null).findFirst().orElseThrow().getSecret().getSecretName());
    assertEquals("/etc/odin-ws/kafka", shard(sts).getVolumeMounts().stream()
        .filter(m -> m.getName().equals("kafka-client")).findFirst().orElseThrow().getMountPath());
    assertEquals("/etc/odin-ws/kafka/client.properties",
        ShardConfigModel.desired(cr).getData().get("ODIN_WS_KAFKA_PROPERTIES_FILE"));
  }

  @Test
  void readOnlyRootFilesystemComesWithAWritableTmp() {
    StatefulSet sts = sts(Fixtures.CLUSTER);
    assertTrue(shard(sts).getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals("/tmp", shard(sts).getVolumeMounts().stream()
        .filter(m -> m.getName().equals("tmp")).findFirst().orElseThrow().getMountPath());
    assertTrue(sts.getSpec().getTemplate().getSpec().getVolumes().stream()
        .anyMatch(v -> v.getName().equals("tmp") && v.getEmptyDir() != null));
  }

  @Test
  void labelsSelectorAndOwnerReferenceAreSet() {
    StatefulSet sts = sts(Fixtures.CLUSTER);
    Map<String, String> labels = sts.getMetadata().getLabels();
    assertEquals("odin-ws", labels.get("app.kubernetes.io/name"));
    assertEquals("prices", labels.get("app.kubernetes.io/instance"));
    assertEquals("shard", labels.get("app.kubernetes.io/component"));
    assertEquals("odin-ws-operator", labels.get("app.kubernetes.io/managed-by"));
    assertTrue(sts.getSpec().getTemplate().getMetadata().getLabels()
        .entrySet().containsAll(sts.getSpec().getSelector().getMatchLabels().entrySet()));
    OwnerReference owner = sts.getMetadata().getOwnerReferences().get(0);
    assertEquals("WsCluster", owner.getKind());
    assertEquals(Fixtures.CLUSTER.getMetadata().getUid(), owner.getUid());
    assertTrue(owner.getController());
  }
}
