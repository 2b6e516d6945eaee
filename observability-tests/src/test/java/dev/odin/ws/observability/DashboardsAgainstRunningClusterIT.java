package dev.odin.ws.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real Prometheus scrapes two real shards, the local balancer and the operator (against a real API server and controller manager)
 * under a small load; every dashboard query and every rule is evaluated there.
 *
 * <p>Not evaluated here, because they only exist in Kubernetes: the Envoy queries (envoy_* series; the
 * balancer is Envoy only in Kubernetes and there is no envoy binary on these machines). They are checked
 * instead against Envoy's documented stat names ({@link EnvoyStats}) and against the Envoy config the
 * operator renders (stat prefix and cluster name). The {@code namespace} label, which the ServiceMonitor adds
 * in Kubernetes, is missing here: every query selects it with {@code namespace=~"$namespace"} and the "All"
 * value {@code .*}, which also matches a missing label, and that is what these tests substitute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ControlPlaneExtension.class)
class DashboardsAgainstRunningClusterIT {
  /** What Grafana substitutes with namespace "All", WsCluster "obs" and shard "All". */
  static final Map<String, String> VARIABLES = Map.of(
      "namespace", ".*", "wscluster", RunningCluster.CLUSTER, "shard", ".*",
      "__rate_interval", "30s", "__interval", "5s", "__range", "5m");

  static KubernetesClient client;

  private RunningCluster cluster;
  private Prometheus prometheus;

  @BeforeAll
  void startClusterPrometheusAndLoad(KubeControlPlane plane) throws Exception {
    Prometheus.binary("prometheus"); // fail fast, before starting anything, when it is not installed
    client = plane.adminClient();
    cluster = RunningCluster.start(plane);
    Map<String, List<String>> jobs = new LinkedHashMap<>();
    jobs.put("odin-ws-shard", cluster.shardTargets());
    jobs.put("odin-ws-balancer", List.of(cluster.balancerTarget()));
    jobs.put("odin-ws-operator", List.of(cluster.operatorTarget()));
    prometheus = Prometheus.start(jobs, Grafana.ruleFiles().get(0));
    cluster.applyLoad();
    cluster.drainShard1();
  }

  @AfterAll
  void stopEverything() throws Exception {
    try {
      if (prometheus != null) {
        prometheus.close();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void everyDashboardPanelQueryReturnsDataExceptTheEnvoyOnes() {
    List<Grafana.Query> queries = new ArrayList<>();
    List<Grafana.Query> envoyOnly = new ArrayList<>();
    for (Path dashboard : Grafana.dashboardFiles()) {
      for (Grafana.Query q : Stream.concat(Grafana.panelQueries(dashboard, VARIABLES).stream(),
          Grafana.variableQueries(dashboard, VARIABLES).stream()).toList()) {
        (EnvoyStats.isEnvoyOnly(q.expr()) ? envoyOnly : queries).add(q);
      }
    }
    assertThat(queries).hasSizeGreaterThan(40);

    Awaitility.await("every dashboard query returns data").atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(queries).allSatisfy(q -> assertThat(prometheus.query(q.expr()))
            .as("%s: %s", q.source(), q.expr()).isNotEmpty()));

    // Envoy's queries cannot return data here, but the real Prometheus must accept them.
    envoyOnly.forEach(q -> prometheus.query(q.expr()));
    assertThat(envoyOnly).extracting(Grafana.Query::source).containsExactlyInAnyOrder(
        "odin-ws-balancer.json / Downstream connections / A",
        "odin-ws-balancer.json / New downstream connections / A",
        "odin-ws-balancer.json / Upstream active requests / A",
        "odin-ws-balancer.json / Upstream active requests per shard (Envoy) / A",
        "odin-ws-balancer.json / Shard health per endpoint (Envoy) / A",
        "odin-ws-balancer.json / Healthy shards (Envoy's view) / A",
        "odin-ws-balancer.json / Healthy shards (Envoy's view) / B",
        "odin-ws-balancer.json / Health-check failures and refusals / A",
        "odin-ws-balancer.json / Health-check failures and refusals / B",
        "odin-ws-balancer.json / Health-check failures and refusals / C");
  }

  @Test
  void everyMetricNameOfDashboardsAndRulesIsScrapedOrIsADocumentedEnvoyStat() {
    List<Grafana.Query> all = new ArrayList<>(Grafana.ruleQueries());
    for (Path dashboard : Grafana.dashboardFiles()) {
      all.addAll(Grafana.panelQueries(dashboard, VARIABLES));
      all.addAll(Grafana.variableQueries(dashboard, VARIABLES));
    }
    Set<String> used = new TreeSet<>();
    all.forEach(q -> used.addAll(Grafana.metricNames(q.expr())));
    assertThat(used).contains("ws_connections_active", "wscluster_shards_ready",
        "operator_sdk_reconciliations_failed_total", "balancer_backend_healthy", "envoy_cluster_upstream_rq_active",
        "envoy_cluster_endpoint_rq_active");

    Awaitility.await("every used metric name scraped").atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> {
          Set<String> scraped = new TreeSet<>(prometheus.metricNames());
          Set<String> missing = new TreeSet<>(used);
          missing.removeAll(scraped);
          missing.removeIf(EnvoyStats.PROMETHEUS_NAMES::containsKey);
          assertThat(missing).as("metric names no target exposes").isEmpty();
        });
    assertThat(used.stream().filter(n -> n.startsWith("envoy_")))
        .as("every envoy_* name is a documented Envoy stat")
        .allSatisfy(n -> assertThat(EnvoyStats.PROMETHEUS_NAMES).containsKey(n));
  }

  @Test
  void everyAlertRuleLoadsAndEvaluatesWithoutErrorsAgainstTheRealSeries() {
    Awaitility.await("rules evaluated").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> {
          List<JsonNode> rules = new ArrayList<>();
          prometheus.get("/api/v1/rules").path("data").path("groups")
              .forEach(g -> g.path("rules").forEach(rules::add));
          assertThat(rules).hasSize(Grafana.ruleQueries().size());
          assertThat(rules).allSatisfy(r -> {
            assertThat(r.path("health").asText()).as(r.path("name").asText() + " " + r.path("lastError"))
                .isEqualTo("ok");
            assertThat(r.path("labels").path("severity").asText()).isIn("warning", "critical");
          });
        });
    // Against the real series: the failing WsCluster trips the reconcile-error alert (pending: it needs 10
    // minutes to fire); the healthy one, with both shards ready, does not trip "no ready shard".
    Awaitility.await("OdinWsOperatorReconcileErrors pending").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(alertNames()).contains("OdinWsOperatorReconcileErrors"));
    assertThat(alertNames()).doesNotContain("OdinWsClusterNotReady", "OdinWsShardNotReady");
  }

  private List<String> alertNames() {
    List<String> names = new ArrayList<>();
    prometheus.get("/api/v1/alerts").path("data").path("alerts")
        .forEach(a -> names.add(a.path("labels").path("alertname").asText()));
    return names;
  }

  @Test
  void envoyQueriesUseTheStatPrefixAndClusterNameOfTheEnvoyConfigTheOperatorRenders() throws Exception {
    ConfigMap envoy = Awaitility.await("the operator rendered the Envoy ConfigMap").atMost(Duration.ofSeconds(60))
        .until(() -> client.configMaps().inNamespace(RunningCluster.NAMESPACE)
            .withName(RunningCluster.CLUSTER + "-envoy").get(), c -> c != null);
    JsonNode bootstrap = Grafana.YAML.readTree(envoy.getData().get("envoy.yaml"));
    List<String> statPrefixes = bootstrap.findValuesAsText("stat_prefix");
    List<String> clusters = new ArrayList<>();
    bootstrap.path("static_resources").path("clusters").forEach(c -> clusters.add(c.path("name").asText()));
    List<String> routedToAdmin = new ArrayList<>();
    bootstrap.path("static_resources").path("listeners").forEach(l -> {
      if (l.path("address").path("socket_address").path("port_value").asInt() == 9902) {
        l.findValues("routes").forEach(routes -> routes.forEach(r -> {
          if (r.path("route").path("cluster").asText().equals("envoy_admin")) {
            routedToAdmin.add(r.path("match").path("path").asText());
          }
        }));
      }
    });
    assertThat(routedToAdmin).as("the metrics listener (port 9902, which the ServiceMonitor scrapes) serves the"
        + " admin interface's /stats/prometheus").contains("/stats/prometheus");

    for (Path dashboard : Grafana.dashboardFiles()) {
      for (Grafana.Query q : Grafana.panelQueries(dashboard, VARIABLES)) {
        EnvoyStats.labelValues(q.expr(), "envoy_http_conn_manager_prefix")
            .forEach(v -> assertThat(statPrefixes).as(q.source()).contains(v));
        EnvoyStats.labelValues(q.expr(), "envoy_cluster_name")
            .forEach(v -> assertThat(clusters).as(q.source()).contains(v));
      }
    }
  }
}
