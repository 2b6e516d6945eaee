package dev.odin.ws.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.BalancerSpec;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

class ShardServicesModelTest {
  @Test
  void headlessServicePublishesNotReadyShardsForStableDns() {
    Service s = ShardServicesModel.headless(Fixtures.CLUSTER);
    assertEquals("None", s.getSpec().getClusterIP());
    assertTrue(s.getSpec().getPublishNotReadyAddresses());
    assertEquals("shard", s.getSpec().getSelector().get("app.kubernetes.io/component"));
  }

  @Test
  void publicServiceSelectsEnvoyByDefault() {
    Service s = ShardServicesModel.publicService(Fixtures.CLUSTER);
    assertEquals("prices", s.getMetadata().getName());
    assertEquals("balancer", s.getSpec().getSelector().get("app.kubernetes.io/component"));
    assertEquals(80, s.getSpec().getPorts().get(0).getPort());
    assertEquals("ClusterIP", s.getSpec().getType());
  }

  @Test
  void plainServiceBalancerSelectsTheShardsDirectly() {
    Service s = ShardServicesModel.publicService(Fixtures.edit(cr -> {
      BalancerSpec b = new BalancerSpec();
      b.setType(BalancerSpec.Type.Service);
      b.setServiceType(BalancerSpec.ServiceType.LoadBalancer);
      b.setPort(443);
      cr.getSpec().setBalancer(b);
    }));
    assertEquals("shard", s.getSpec().getSelector().get("app.kubernetes.io/component"));
    assertEquals("LoadBalancer", s.getSpec().getType());
    assertEquals(443, s.getSpec().getPorts().get(0).getPort());
    assertEquals(8080, s.getSpec().getPorts().get(0).getTargetPort().getIntVal());
  }

  @Test
  void podDisruptionBudgetAllowsOneShardDown() {
    assertEquals(1, ShardServicesModel.podDisruptionBudget(Fixtures.CLUSTER).getSpec().getMaxUnavailable().getIntVal());
  }

  @Test
  void endpointIsTheInClusterWebSocketUrl() {
    assertEquals("ws://prices.trading.svc:80/ws", ShardServicesModel.endpoint(Fixtures.CLUSTER));
  }
}
