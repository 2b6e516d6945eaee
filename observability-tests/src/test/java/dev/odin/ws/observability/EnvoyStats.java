package dev.odin.ws.observability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Envoy stats the balancer dashboard uses, with the stat as Envoy's docs name it. Envoy's
 * {@code /stats/prometheus} turns {@code cluster.<name>.x.y} into {@code envoy_cluster_x_y{envoy_cluster_name="<name>"}}
 * and {@code http.<stat_prefix>.x} into {@code envoy_http_x{envoy_http_conn_manager_prefix="<stat_prefix>"}}, and
 * adds no {@code _total} suffix to counters. Sources: envoyproxy.io, configuration/upstream/cluster_manager/cluster_stats
 * and configuration/http/http_conn_man/stats.
 *
 * <p>Per-endpoint stats ({@code track_cluster_stats.per_endpoint_stats} on a cluster) are the host stats of the admin
 * page {@code /clusters} (counters cx_connect_fail, cx_total, rq_error, rq_success, rq_timeout, rq_total; gauges
 * cx_active, rq_active, healthy), named {@code cluster.<name>.endpoint.<address>.x} and exported as
 * {@code envoy_cluster_endpoint_x{envoy_cluster_name="<name>", envoy_endpoint_address="<ip:port>"}}. Sources:
 * envoyproxy.io, api-v3/config/cluster/v3/cluster.proto (TrackClusterStats) and operations/admin (/clusters).
 */
final class EnvoyStats {
  static final Map<String, String> PROMETHEUS_NAMES = Map.ofEntries(
      Map.entry("envoy_http_downstream_cx_active", "http.<stat_prefix>.downstream_cx_active (gauge)"),
      Map.entry("envoy_http_downstream_cx_total", "http.<stat_prefix>.downstream_cx_total (counter)"),
      Map.entry("envoy_cluster_upstream_rq_active", "cluster.<name>.upstream_rq_active (gauge)"),
      Map.entry("envoy_cluster_membership_healthy", "cluster.<name>.membership_healthy (gauge)"),
      Map.entry("envoy_cluster_membership_total", "cluster.<name>.membership_total (gauge)"),
      Map.entry("envoy_cluster_health_check_failure", "cluster.<name>.health_check.failure (counter)"),
      Map.entry("envoy_cluster_upstream_cx_none_healthy", "cluster.<name>.upstream_cx_none_healthy (counter)"),
      Map.entry("envoy_cluster_upstream_cx_connect_fail", "cluster.<name>.upstream_cx_connect_fail (counter)"),
      Map.entry("envoy_cluster_endpoint_rq_active", "cluster.<name>.endpoint.<address>.rq_active (gauge)"),
      Map.entry("envoy_cluster_endpoint_healthy", "cluster.<name>.endpoint.<address>.healthy (gauge)"));

  private EnvoyStats() {}

  static {
    PROMETHEUS_NAMES.forEach((name, stat) -> {
      String path = stat.substring(0, stat.indexOf(' '))
          .replace(".<stat_prefix>.", ".").replace(".<name>.", ".").replace(".<address>.", ".").replace('.', '_');
      if (!name.equals("envoy_" + path)) {
        throw new IllegalStateException(name + " is not Envoy's Prometheus name of " + stat);
      }
    });
  }

  /** True when the expression reads Envoy stats only (so it has data only where Envoy runs: Kubernetes). */
  static boolean isEnvoyOnly(String expr) {
    var names = Grafana.metricNames(expr);
    return !names.isEmpty() && names.stream().allMatch(n -> n.startsWith("envoy_"));
  }

  static List<String> labelValues(String expr, String label) {
    List<String> values = new ArrayList<>();
    Matcher m = Pattern.compile(label + "=\"([^\"]*)\"").matcher(expr);
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }
}
