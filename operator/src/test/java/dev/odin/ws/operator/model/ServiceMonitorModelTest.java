package dev.odin.ws.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.BalancerSpec;
import dev.odin.ws.api.WsCluster;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceMonitorModelTest {
  private static final ServiceMonitor MONITOR = ServiceMonitorModel.desired(Fixtures.CLUSTER);

  @Test
  void scrapesTheShardsManagementPortAndEnvoysMetricsPort() {
    assertEquals(List.of("management:/metrics", "envoy-metrics:/stats/prometheus"),
        MONITOR.getSpec().endpoints.stream().map(e -> e.port + ":" + e.path).toList());
    MONITOR.getSpec().endpoints.forEach(e -> assertEquals("15s", e.interval));
  }

  @Test
  void scrapesTheHeadlessShardServiceAndTheEnvoyMetricsServiceButNotThePublicService() {
    assertEquals(List.of("management"), scraped(ShardServicesModel.headless(Fixtures.CLUSTER)));
    assertEquals(List.of("envoy-metrics"), scraped(EnvoyModel.metricsService(Fixtures.CLUSTER)));
    Service entry = ShardServicesModel.publicService(Fixtures.CLUSTER);
    assertTrue(matches(MONITOR.getSpec().selector, entry.getMetadata().getLabels()),
        "the public Service is selected (component balancer) ...");
    assertEquals(List.of(), scraped(entry), "... but has no port the ServiceMonitor scrapes");
  }

  @Test
  void aPlainServiceBalancerIsNotScrapedEither() {
    WsCluster plain = Fixtures.edit(cr -> {
      BalancerSpec b = new BalancerSpec();
      b.setType(BalancerSpec.Type.Service);
      cr.getSpec().setBalancer(b);
    });
    assertEquals(List.of(), scraped(ShardServicesModel.publicService(plain)));
    assertEquals(List.of("management"), scraped(ShardServicesModel.headless(plain)));
  }

  @Test
  void anotherWsClustersServicesAreNotSelected() {
    WsCluster other = Fixtures.edit(cr -> cr.getMetadata().setName("quotes"));
    assertFalse(matches(MONITOR.getSpec().selector, ShardServicesModel.headless(other).getMetadata().getLabels()));
    assertFalse(matches(MONITOR.getSpec().selector, EnvoyModel.metricsService(other).getMetadata().getLabels()));
  }

  /** The ServiceMonitor endpoints Prometheus Operator would scrape on this Service (it skips missing port names). */
  private static List<String> scraped(Service s) {
    if (!matches(MONITOR.getSpec().selector, s.getMetadata().getLabels())) {
      return List.of();
    }
    List<String> ports = s.getSpec().getPorts().stream().map(ServicePort::getName).toList();
    return MONITOR.getSpec().endpoints.stream().map(e -> e.port).filter(ports::contains).toList();
  }

  /** Kubernetes label-selector semantics for matchLabels and the In operator (others fail the test). */
  private static boolean matches(LabelSelector selector, Map<String, String> labels) {
    boolean ok = labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
      assertEquals("In", r.getOperator(), "operator not modelled");
      ok &= r.getValues().contains(labels.get(r.getKey()));
    }
    return ok;
  }
}
