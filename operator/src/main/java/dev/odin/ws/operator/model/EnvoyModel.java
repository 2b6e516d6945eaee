package dev.odin.ws.operator.model;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;

/** The Envoy balancer: its bootstrap ConfigMap, Deployment and metrics Service (balancer.type=Envoy). */
public final class EnvoyModel {
  public static final int LISTENER_PORT = 8080;
  /** Envoy's admin interface, on loopback only (see {@link EnvoyBootstrap}). */
  public static final int ADMIN_PORT = 9901;
  /** The metrics listener: /stats/prometheus and /ready of the admin interface, 404 for everything else. */
  public static final int METRICS_PORT = 9902;
  /** Port name of the metrics Service, which the ServiceMonitor scrapes. */
  public static final String METRICS_PORT_NAME = "envoy-metrics";
  public static final String BOOTSTRAP_KEY = "envoy.yaml";
  private static final String CONFIG_DIR = "/etc/envoy";

  private EnvoyModel() {}

  public static ConfigMap config(WsCluster cr) {
    return new ConfigMapBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.envoyConfig(cr), WsClusterLabels.BALANCER))
        .withData(Map.of(BOOTSTRAP_KEY, EnvoyBootstrap.yaml(cr)))
        .build();
  }

  public static Deployment deployment(WsCluster cr, String envoyImage) {
    String bootstrap = EnvoyBootstrap.yaml(cr);
    return new DeploymentBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.envoyDeployment(cr), WsClusterLabels.BALANCER))
        .withNewSpec()
        .withReplicas(WsClusterDefaults.balancerReplicas(cr))
        .withNewSelector().withMatchLabels(WsClusterLabels.selector(cr, WsClusterLabels.BALANCER)).endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(WsClusterLabels.labels(cr, WsClusterLabels.BALANCER))
        .withAnnotations(Map.of(ShardStatefulSetModel.CONFIG_HASH_ANNOTATION,
            ShardConfigModel.hash(Map.of(BOOTSTRAP_KEY, bootstrap))))
        .endMetadata()
        .withNewSpec()
        // Envoy drains its listeners on SIGTERM; the shards' own drain window bounds how long that matters.
        .withTerminationGracePeriodSeconds((long) WsClusterDefaults.drainSeconds(cr) + 15)
        .withEnableServiceLinks(false)
        .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(101L)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
        .addNewContainer()
        .withName("envoy")
        .withImage(envoyImage)
        .withArgs("-c", CONFIG_DIR + "/" + BOOTSTRAP_KEY, "--log-level", "warn")
        .addNewPort().withName("ws").withContainerPort(LISTENER_PORT).withProtocol("TCP").endPort()
        .addNewPort().withName("metrics").withContainerPort(METRICS_PORT).withProtocol("TCP").endPort()
        .withReadinessProbe(probe(2))
        .withLivenessProbe(probe(10))
        .withNewResources()
        .addToRequests("cpu", new Quantity("250m")).addToRequests("memory", new Quantity("128Mi"))
        .addToLimits("memory", new Quantity("512Mi"))
        .endResources()
        .addNewVolumeMount().withName("config").withMountPath(CONFIG_DIR).withReadOnly(true).endVolumeMount()
        .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
        .endContainer()
        .addNewVolume().withName("config")
        .withNewConfigMap().withName(WsClusterNames.envoyConfig(cr)).endConfigMap().endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** ClusterIP Service over the Envoy pods' metrics listener, for the ServiceMonitor. */
  public static Service metricsService(WsCluster cr) {
    return new ServiceBuilder()
        .withMetadata(Metadata.of(cr, WsClusterNames.envoyMetricsService(cr), WsClusterLabels.BALANCER))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(WsClusterLabels.selector(cr, WsClusterLabels.BALANCER))
        .addNewPort().withName(METRICS_PORT_NAME).withPort(METRICS_PORT).withTargetPort(new IntOrString("metrics"))
        .withProtocol("TCP").endPort()
        .endSpec()
        .build();
  }

  private static Probe probe(int periodSeconds) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath("/ready").withNewPort("metrics").endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(2)
        .build();
  }
}
