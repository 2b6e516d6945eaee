package dev.odin.ws.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.Duration;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rendered bootstrap, parsed strictly by Envoy's own protobuf API (unknown fields and bad values fail). */
class EnvoyBootstrapTest {
  private static final TypeRegistry TYPES = TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor())
      .add(Router.getDescriptor())
      .add(LeastRequest.getDescriptor())
      .build();
  private static final Bootstrap BOOTSTRAP = parse(EnvoyBootstrap.yaml(Fixtures.CLUSTER));
  private static final Cluster SHARDS = BOOTSTRAP.getStaticResources().getClusters(0);

  static Bootstrap parse(String yaml) {
    try {
      String json = new ObjectMapper().writeValueAsString(new ObjectMapper(new YAMLFactory()).readTree(yaml));
      Bootstrap.Builder b = Bootstrap.newBuilder();
      JsonFormat.parser().usingTypeRegistry(TYPES).merge(json, b);
      return b.build();
    } catch (Exception e) {
      throw new AssertionError("Envoy rejects the bootstrap: " + e.getMessage(), e);
    }
  }

  private static HttpConnectionManager hcm() throws Exception {
    return hcm(BOOTSTRAP.getStaticResources().getListeners(0));
  }

  private static HttpConnectionManager hcm(Listener listener) throws Exception {
    return listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
  }

  private static Listener listener(String name) {
    return BOOTSTRAP.getStaticResources().getListenersList().stream().filter(l -> l.getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no listener " + name));
  }

  private static Cluster cluster(String name) {
    return BOOTSTRAP.getStaticResources().getClustersList().stream().filter(c -> c.getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no cluster " + name));
  }

  /**
   * The route Envoy picks for a GET of {@code path} on the metrics listener: the first whose match accepts it.
   * Only exact-path and prefix matches are modelled; any other kind of match fails the test rather than guess.
   */
  private static Optional<Route> metricsRoute(String path) throws Exception {
    String withoutQuery = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    for (Route r : hcm(listener("metrics")).getRouteConfig().getVirtualHosts(0).getRoutesList()) {
      var match = r.getMatch();
      assertEquals(0, match.getHeadersCount(), "header matches are not modelled");
      boolean matches = switch (match.getPathSpecifierCase()) {
        case PATH -> match.getPath().equals(withoutQuery);
        case PREFIX -> path.startsWith(match.getPrefix());
        default -> throw new AssertionError("unmodelled route match " + match.getPathSpecifierCase());
      };
      if (matches) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  @Test
  void listenerUpgradesWebSockets() throws Exception {
    assertEquals("websocket", hcm().getUpgradeConfigs(0).getUpgradeType());
  }

  @Test
  void noTimeoutCutsALiveWebSocket() throws Exception {
    assertTrue(hcm().hasStreamIdleTimeout());
    assertEquals(Duration.getDefaultInstance(), hcm().getStreamIdleTimeout());
    assertEquals(Duration.getDefaultInstance(), hcm().getRequestTimeout());
    RouteAction route = hcm().getRouteConfig().getVirtualHosts(0).getRoutes(0).getRoute();
    assertEquals(EnvoyBootstrap.CLUSTER, route.getCluster());
    assertTrue(route.hasTimeout());
    assertEquals(Duration.getDefaultInstance(), route.getTimeout());
    assertEquals(Duration.getDefaultInstance(), route.getIdleTimeout());
  }

  @Test
  void shardsAreBalancedByLeastRequestWithAFullScan() throws Exception {
    var policy = SHARDS.getLoadBalancingPolicy().getPolicies(0).getTypedExtensionConfig();
    LeastRequest lr = policy.getTypedConfig().unpack(LeastRequest.class);
    assertEquals(LeastRequest.SelectionMethod.FULL_SCAN, lr.getSelectionMethod());
    assertFalse(SHARDS.hasLeastRequestLbConfig(), "the legacy two-choice config must not be used");
  }

  @Test
  void circuitBreakersAreFarAboveEnvoysDefaultOf1024() {
    for (CircuitBreakers.Thresholds t : SHARDS.getCircuitBreakers().getThresholdsList()) {
      assertTrue(t.getMaxConnections().getValue() > 100_000);
      assertTrue(t.getMaxRequests().getValue() > 100_000);
      assertTrue(t.getMaxPendingRequests().getValue() > 100_000);
    }
    assertEquals(2, SHARDS.getCircuitBreakers().getThresholdsCount());
  }

  @Test
  void shardsAreHealthCheckedOnReadyzOfTheManagementPort() {
    HealthCheck hc = SHARDS.getHealthChecks(0);
    assertEquals("/readyz", hc.getHttpHealthCheck().getPath());
    var endpoint = SHARDS.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint();
    assertEquals(9090, endpoint.getHealthCheckConfig().getPortValue());
    assertEquals(8080, endpoint.getAddress().getSocketAddress().getPortValue());
    assertEquals("prices-shards.trading.svc.cluster.local", endpoint.getAddress().getSocketAddress().getAddress());
    assertEquals(Cluster.DiscoveryType.STRICT_DNS, SHARDS.getType());
  }

  @Test
  void adminInterfaceListensOnLoopbackOnly() {
    SocketAddress admin = BOOTSTRAP.getAdmin().getAddress().getSocketAddress();
    assertEquals("127.0.0.1", admin.getAddress());
    assertEquals(EnvoyModel.ADMIN_PORT, admin.getPortValue());
    for (Listener l : BOOTSTRAP.getStaticResources().getListenersList()) {
      assertTrue(l.getAddress().getSocketAddress().getPortValue() != EnvoyModel.ADMIN_PORT, l.getName());
    }
  }

  @Test
  void metricsListenerOnAllInterfacesRoutesOnlyPrometheusStatsAndReadyToTheLoopbackAdminInterface()
      throws Exception {
    SocketAddress metrics = listener("metrics").getAddress().getSocketAddress();
    assertEquals("0.0.0.0", metrics.getAddress());
    assertEquals(EnvoyModel.METRICS_PORT, metrics.getPortValue());
    Cluster admin = cluster(EnvoyBootstrap.ADMIN_CLUSTER);
    assertEquals(Cluster.DiscoveryType.STATIC, admin.getType());
    SocketAddress upstream = admin.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress()
        .getSocketAddress();
    assertEquals("127.0.0.1", upstream.getAddress());
    assertEquals(EnvoyModel.ADMIN_PORT, upstream.getPortValue());
    for (String path : List.of("/stats/prometheus", "/ready", "/stats/prometheus?usedonly")) {
      assertEquals(EnvoyBootstrap.ADMIN_CLUSTER, metricsRoute(path).orElseThrow().getRoute().getCluster(), path);
    }
  }

  @Test
  void metricsListenerAnswers404ForEveryOtherAdminPage() throws Exception {
    for (String path : List.of("/quitquitquit", "/drain_listeners", "/healthcheck/fail", "/runtime_modify",
        "/logging", "/config_dump", "/clusters", "/stats", "/", "/ready/", "/readyz", "/stats/prometheusx",
        "/stats/prometheus/../../quitquitquit", "/READY", "//ready")) {
      Route r = metricsRoute(path).orElseThrow(() -> new AssertionError("no route at all for " + path));
      assertFalse(r.hasRoute(), path + " is routed to " + r.getRoute().getCluster());
      assertEquals(404, r.getDirectResponse().getStatus(), path);
    }
    // No other route of the metrics listener reaches the admin interface.
    for (Route r : hcm(listener("metrics")).getRouteConfig().getVirtualHosts(0).getRoutesList()) {
      if (r.hasRoute()) {
        assertTrue(EnvoyBootstrap.METRICS_PATHS.contains(r.getMatch().getPath()), r.toString());
      }
    }
  }

  @Test
  void theWebSocketListenerHasNoRouteToTheAdminInterface() throws Exception {
    for (Route r : hcm().getRouteConfig().getVirtualHosts(0).getRoutesList()) {
      assertEquals(EnvoyBootstrap.CLUSTER, r.getRoute().getCluster());
    }
  }

  @Test
  void shardsClusterEmitsPerEndpointStats() {
    assertTrue(SHARDS.getTrackClusterStats().getPerEndpointStats());
    assertEquals(EnvoyBootstrap.CLUSTER, SHARDS.getName());
  }

  @Test
  void bootstrapSatisfiesEnvoysFieldConstraints() {
    assertEquals(List.of(), new EnvoyConstraints(TYPES).violations(BOOTSTRAP));
  }

  @Test
  void theConstraintCheckerCatchesAnOutOfRangePortAndAnEmptyName() {
    Bootstrap broken = BOOTSTRAP.toBuilder().setStaticResources(BOOTSTRAP.getStaticResources().toBuilder()
        .setClusters(0, SHARDS.toBuilder().setName("").setLoadAssignment(SHARDS.getLoadAssignment().toBuilder()
            .setClusterName("").build()))).build();
    var violations = new EnvoyConstraints(TYPES).violations(broken);
    assertTrue(violations.stream().anyMatch(v -> v.contains("cluster_name: string.min_len")), violations.toString());
    String badPort = EnvoyBootstrap.yaml(Fixtures.CLUSTER).replace("port_value: 9090", "port_value: 90900");
    assertTrue(new EnvoyConstraints(TYPES).violations(parse(badPort)).stream()
        .anyMatch(v -> v.contains("port_value")), "port 90900 not flagged");
  }

  @Test
  void aTypoInTheBootstrapWouldBeCaught() {
    String broken = EnvoyBootstrap.yaml(Fixtures.CLUSTER).replace("selection_method", "selection_methd");
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> parse(broken));
    assertTrue(e.getMessage().contains("selection_methd"), e.getMessage());
  }
}
