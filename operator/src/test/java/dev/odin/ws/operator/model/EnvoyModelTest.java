package dev.odin.ws.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.BalancerSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EnvoyModelTest {
  @Test
  void deploymentRunsTheConfiguredReplicasWithTheBootstrapMounted() {
    Deployment d = EnvoyModel.deployment(Fixtures.edit(cr -> {
      BalancerSpec b = new BalancerSpec();
      b.setReplicas(4);
      cr.getSpec().setBalancer(b);
    }), "envoy:test");
    assertEquals(4, d.getSpec().getReplicas());
    var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("envoy:test", c.getImage());
    assertEquals("/etc/envoy", c.getVolumeMounts().get(0).getMountPath());
    assertEquals("prices-envoy", d.getSpec().getTemplate().getSpec().getVolumes().get(0).getConfigMap().getName());
    assertEquals("balancer", d.getSpec().getSelector().getMatchLabels().get("app.kubernetes.io/component"));
  }

  @Test
  void defaultBalancerHasTwoReplicas() {
    assertEquals(2, EnvoyModel.deployment(Fixtures.CLUSTER, "envoy:test").getSpec().getReplicas());
  }

  @Test
  void configMapHoldsTheBootstrap() {
    assertEquals(EnvoyBootstrap.yaml(Fixtures.CLUSTER),
        EnvoyModel.config(Fixtures.CLUSTER).getData().get(EnvoyModel.BOOTSTRAP_KEY));
  }

  @Test
  void probesUseTheMetricsListenerAndTheAdminPortIsNoContainerPort() {
    Container c = EnvoyModel.deployment(Fixtures.CLUSTER, "envoy:test").getSpec().getTemplate().getSpec()
        .getContainers().get(0);
    assertEquals(Map.of("ws", 8080, "metrics", 9902),
        c.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort)));
    assertTrue(c.getPorts().stream().noneMatch(p -> p.getContainerPort() == EnvoyModel.ADMIN_PORT));
    for (Probe probe : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
      assertEquals("/ready", probe.getHttpGet().getPath());
      assertEquals("metrics", probe.getHttpGet().getPort().getStrVal());
    }
  }

  @Test
  void metricsServiceSelectsTheEnvoyPodsAndExposesTheirMetricsPortAsEnvoyMetrics() {
    Service s = EnvoyModel.metricsService(Fixtures.CLUSTER);
    Deployment d = EnvoyModel.deployment(Fixtures.CLUSTER, "envoy:test");
    assertEquals("prices-envoy-metrics", s.getMetadata().getName());
    assertEquals("trading", s.getMetadata().getNamespace());
    assertEquals("ClusterIP", s.getSpec().getType());
    assertEquals("balancer", s.getMetadata().getLabels().get("app.kubernetes.io/component"));
    assertEquals("odin-ws-operator", s.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()), s.getSpec().getSelector()
        + " does not select " + podLabels);
    assertEquals(d.getSpec().getSelector().getMatchLabels(), s.getSpec().getSelector());
    ServicePort port = s.getSpec().getPorts().get(0);
    assertEquals(1, s.getSpec().getPorts().size());
    assertEquals("envoy-metrics", port.getName());
    assertEquals(9902, port.getPort());
    ContainerPort target = d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
        .filter(p -> p.getName().equals(port.getTargetPort().getStrVal())).findFirst().orElseThrow();
    assertEquals(EnvoyModel.METRICS_PORT, target.getContainerPort());
  }
}
