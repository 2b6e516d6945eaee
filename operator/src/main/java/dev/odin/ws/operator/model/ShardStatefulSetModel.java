package dev.odin.ws.operator.model;

import dev.odin.ws.api.AuthSpec;
import dev.odin.ws.api.KeySecretRef;
import dev.odin.ws.api.SecretKeyRef;
import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.Map;
import java.util.Optional;

/** The shard StatefulSet: one pod per shard, pod ordinal = shard index. */
public final class ShardStatefulSetModel {
  /** Kubernetes (1.28+) puts the ordinal on every StatefulSet pod under this label. */
  public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
  public static final String CONFIG_HASH_ANNOTATION = "ws.odin.dev/config-hash";
  /** Time past the drain window before the kubelet kills a shard that is still closing clients. */
  public static final int TERMINATION_MARGIN_SECONDS = 15;
  private static final String KAFKA_VOLUME = "kafka-client";
  private static final String MANAGEMENT_TOKEN_VOLUME = "management-token";
  private static final String AUTH_KEYS_VOLUME = "auth-keys";
  private static final String TMP_VOLUME = "tmp";

  private ShardStatefulSetModel() {}

  /**
   * @param replicas the replicas to run now: spec.shards, except during a scale-down whose drain is not done
   */
  public static StatefulSet desired(WsCluster cr, String defaultImage, int replicas) {
    Map<String, String> configHash = Map.of(
        CONFIG_HASH_ANNOTATION, ShardConfigModel.hash(ShardConfigModel.desired(cr).getData()));
    PodSpecBuilder pod = new PodSpecBuilder()
        .withTerminationGracePeriodSeconds((long) WsClusterDefaults.drainSeconds(cr) + TERMINATION_MARGIN_SECONDS)
        .withEnableServiceLinks(false)
        .withSecurityContext(new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder()
            .withRunAsNonRoot(true)
            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
            .build())
        .withContainers(container(cr, defaultImage));
    // The root filesystem is read-only: the JVM and Netty's native transport need a writable /tmp.
    pod.addNewVolume().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().endVolume();
    WsClusterDefaults.secretRef(cr).ifPresent(ref -> pod.addToVolumes(secretVolume(ref)));
    pod.addToVolumes(secretVolume(MANAGEMENT_TOKEN_VOLUME, WsClusterNames.managementToken(cr),
        ShardEnv.MANAGEMENT_TOKEN_KEY));
    authKeys(cr).ifPresent(ref -> pod.addToVolumes(
        secretVolume(AUTH_KEYS_VOLUME, ref.getName(), WsClusterDefaults.authKey(ref))));
    return new StatefulSetBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.statefulSet(cr), WsClusterLabels.SHARD))
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName(WsClusterNames.headlessService(cr))
        .withPodManagementPolicy("Parallel")
        .withNewSelector().withMatchLabels(WsClusterLabels.selector(cr, WsClusterLabels.SHARD)).endSelector()
        .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(WsClusterLabels.labels(cr, WsClusterLabels.SHARD))
        .withAnnotations(configHash)
        .endMetadata()
        .withSpec(pod.build())
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Container container(WsCluster cr, String defaultImage) {
    ContainerBuilder c = new ContainerBuilder()
        .withName("shard")
        .withImage(Optional.ofNullable(cr.getSpec().getImage()).orElse(defaultImage))
        .addNewEnvFrom().withNewConfigMapRef().withName(WsClusterNames.shardConfig(cr)).endConfigMapRef().endEnvFrom()
        .addNewEnv()
        .withName(ShardEnv.SHARD_INDEX)
        .withNewValueFrom().withNewFieldRef()
        .withFieldPath("metadata.labels['" + POD_INDEX_LABEL + "']")
        .endFieldRef().endValueFrom()
        .endEnv()
        .addNewPort().withName("ws").withContainerPort(ShardEnv.WS_PORT).withProtocol("TCP").endPort()
        .addNewPort().withName("management").withContainerPort(ShardEnv.ADMIN_PORT).withProtocol("TCP").endPort()
        .withReadinessProbe(probe("/readyz", 2, 1))
        .withLivenessProbe(probe("/healthz", 10, 3))
        .withResources(Optional.ofNullable(cr.getSpec().getResources()).orElseGet(ResourceRequirements::new))
        .withSecurityContext(new SecurityContextBuilder()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities().withDrop("ALL").endCapabilities()
            .build())
        .addNewVolumeMount().withName(TMP_VOLUME).withMountPath("/tmp").endVolumeMount();
    WsClusterDefaults.secretRef(cr).ifPresent(ref -> c.addToVolumeMounts(new VolumeMountBuilder()
        .withName(KAFKA_VOLUME).withMountPath(ShardEnv.KAFKA_PROPERTIES_DIR).withReadOnly(true).build()));
    c.addToVolumeMounts(new VolumeMountBuilder()
        .withName(MANAGEMENT_TOKEN_VOLUME).withMountPath(ShardEnv.MANAGEMENT_TOKEN_DIR).withReadOnly(true).build());
    authKeys(cr).ifPresent(ref -> c.addToVolumeMounts(new VolumeMountBuilder()
        .withName(AUTH_KEYS_VOLUME).withMountPath(ShardEnv.AUTH_KEYS_DIR).withReadOnly(true).build()));
    return c.build();
  }

  /**
   * The Secret with the token verification keys; in mode JWT it must be named (a key file is local mode's). Mounted
   * without subPath, so the kubelet's updates reach the file and the shards pick up rotated keys.
   */
  private static Optional<KeySecretRef> authKeys(WsCluster cr) {
    if (WsClusterDefaults.authMode(cr) == AuthSpec.Mode.JWT && WsClusterDefaults.authKeySecretRef(cr).isEmpty()) {
      throw new IllegalArgumentException("spec.auth.jwt.keySecretRef is required in Kubernetes when spec.auth.mode is "
          + "JWT (spec.auth.jwt.keyFile is read by local mode only)");
    }
    return WsClusterDefaults.authKeySecretRef(cr);
  }

  private static io.fabric8.kubernetes.api.model.Volume secretVolume(String volume, String secret, String key) {
    return new VolumeBuilder()
        .withName(volume)
        .withNewSecret()
        .withSecretName(secret)
        .addNewItem().withKey(key).withPath(key).endItem()
        .endSecret()
        .build();
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath(path).withNewPort("management").endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .withTimeoutSeconds(2)
        .build();
  }

  private static io.fabric8.kubernetes.api.model.Volume secretVolume(SecretKeyRef ref) {
    return new VolumeBuilder()
        .withName(KAFKA_VOLUME)
        .withNewSecret()
        .withSecretName(ref.getName())
        .addNewItem().withKey(WsClusterDefaults.secretKey(ref)).withPath(WsClusterDefaults.secretKey(ref)).endItem()
        .endSecret()
        .build();
  }
}
