package dev.odin.ws.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.odin.ws.api.BalancerSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
}
