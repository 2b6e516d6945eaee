package dev.odin.ws.operator.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import java.util.List;

/**
 * Envoy's bootstrap for one WsCluster (DESIGN §7): a WebSocket listener with no timeout that could cut a live
 * connection, and a cluster over the shards' headless Service balanced by least-request with a full scan (an
 * upgraded WebSocket is an active request for its whole life), health-checked on the shards' /readyz.
 *
 * <p>The admin interface listens on loopback only: it also serves /quitquitquit, /drain_listeners and runtime
 * changes. A second listener, {@code metrics}, passes exactly /stats/prometheus and /ready on to it (Prometheus and
 * the kubelet's probes) and answers every other path with 404.
 */
public final class EnvoyBootstrap {
  public static final String CLUSTER = "shards";
  /** The loopback admin interface, as an upstream of the metrics listener. */
  public static final String ADMIN_CLUSTER = "envoy_admin";
  /** The only admin pages the metrics listener serves. */
  public static final List<String> METRICS_PATHS = List.of("/stats/prometheus", "/ready");
  /** Far above Envoy's default of 1024, which would silently cap connections per Envoy. */
  public static final long CIRCUIT_BREAKER_LIMIT = 1_000_000;
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
  private static final String HCM =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  private static final String ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
  private static final String LEAST_REQUEST =
      "type.googleapis.com/envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest";
  private static final String LOOPBACK = "127.0.0.1";

  private EnvoyBootstrap() {}

  public static String yaml(WsCluster cr) {
    ObjectNode root = YAML.createObjectNode();
    root.putObject("admin").set("address", address(LOOPBACK, EnvoyModel.ADMIN_PORT));
    ObjectNode resources = root.putObject("static_resources");
    resources.putArray("listeners").add(listener()).add(metricsListener());
    resources.putArray("clusters").add(cluster(cr)).add(adminCluster());
    try {
      return YAML.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode listener() {
    HttpListener ws = httpListener("ws", EnvoyModel.LISTENER_PORT);
    ws.hcm().putArray("upgrade_configs").addObject().put("upgrade_type", "websocket");
    ws.hcm().put("stream_idle_timeout", "0s"); // 0 disables: a quiet subscriber is still a live WebSocket
    ws.hcm().put("request_timeout", "0s");
    ObjectNode r = ws.routes().addObject();
    r.putObject("match").put("prefix", "/");
    r.putObject("route").put("cluster", CLUSTER).put("timeout", "0s").put("idle_timeout", "0s");
    return ws.listener();
  }

  private static ObjectNode metricsListener() {
    HttpListener metrics = httpListener("metrics", EnvoyModel.METRICS_PORT);
    for (String path : METRICS_PATHS) {
      ObjectNode r = metrics.routes().addObject();
      r.putObject("match").put("path", path); // exact: no prefix or suffix of it reaches the admin interface
      r.putObject("route").put("cluster", ADMIN_CLUSTER);
    }
    ObjectNode rest = metrics.routes().addObject();
    rest.putObject("match").put("prefix", "/");
    rest.putObject("direct_response").put("status", 404);
    return metrics.listener();
  }

  /** A listener's HTTP connection manager, for settings of its own, and the routes of its one virtual host. */
  private record HttpListener(ObjectNode listener, ObjectNode hcm, ArrayNode routes) {}

  /** Listener {@code name} on 0.0.0.0:{@code port}: an HTTP connection manager with the router filter. */
  private static HttpListener httpListener(String name, int port) {
    ObjectNode hcm = YAML.createObjectNode();
    hcm.put("@type", HCM).put("stat_prefix", name).put("codec_type", "AUTO");
    ObjectNode host = hcm.putObject("route_config").put("name", name).putArray("virtual_hosts").addObject()
        .put("name", name);
    host.putArray("domains").add("*");
    ArrayNode routes = host.putArray("routes");
    hcm.putArray("http_filters").addObject().put("name", "envoy.filters.http.router")
        .putObject("typed_config").put("@type", ROUTER);
    ObjectNode listener = YAML.createObjectNode().put("name", name);
    listener.set("address", address("0.0.0.0", port));
    listener.putArray("filter_chains").addObject().putArray("filters").addObject()
        .put("name", "envoy.filters.network.http_connection_manager").set("typed_config", hcm);
    return new HttpListener(listener, hcm, routes);
  }

  private static ObjectNode adminCluster() {
    ObjectNode c = YAML.createObjectNode()
        .put("name", ADMIN_CLUSTER).put("type", "STATIC").put("connect_timeout", "1s");
    c.putObject("load_assignment").put("cluster_name", ADMIN_CLUSTER)
        .putArray("endpoints").addObject().putArray("lb_endpoints").addObject().putObject("endpoint")
        .set("address", address(LOOPBACK, EnvoyModel.ADMIN_PORT));
    return c;
  }

  private static ObjectNode cluster(WsCluster cr) {
    ObjectNode c = YAML.createObjectNode()
        .put("name", CLUSTER).put("type", "STRICT_DNS").put("connect_timeout", "2s")
        .put("dns_lookup_family", "V4_ONLY").put("dns_refresh_rate", "5s");
    c.putObject("load_balancing_policy").putArray("policies").addObject()
        .putObject("typed_extension_config").put("name", "envoy.load_balancing_policies.least_request")
        .putObject("typed_config").put("@type", LEAST_REQUEST).put("selection_method", "FULL_SCAN");
    // No panic mode: when every shard is draining or full, refuse rather than overload one of them.
    c.putObject("common_lb_config").putObject("healthy_panic_threshold").put("value", 0.0);
    // envoy_cluster_endpoint_* per shard address (active requests = WebSockets, health): the per-shard view.
    c.putObject("track_cluster_stats").put("per_endpoint_stats", true);
    ArrayNode thresholds = c.putObject("circuit_breakers").putArray("thresholds");
    for (String priority : new String[] {"DEFAULT", "HIGH"}) {
      thresholds.addObject().put("priority", priority)
          .put("max_connections", CIRCUIT_BREAKER_LIMIT).put("max_pending_requests", CIRCUIT_BREAKER_LIMIT)
          .put("max_requests", CIRCUIT_BREAKER_LIMIT).put("max_retries", 3);
    }
    ObjectNode hc = c.putArray("health_checks").addObject()
        .put("timeout", "1s").put("interval", "2s").put("unhealthy_threshold", 1).put("healthy_threshold", 1)
        .put("no_traffic_interval", "2s");
    hc.putObject("http_health_check").put("path", "/readyz");
    ObjectNode endpoint = c.putObject("load_assignment").put("cluster_name", CLUSTER)
        .putArray("endpoints").addObject().putArray("lb_endpoints").addObject().putObject("endpoint");
    endpoint.set("address", address(WsClusterNames.headlessServiceHost(cr), ShardEnv.WS_PORT));
    endpoint.putObject("health_check_config").put("port_value", ShardEnv.ADMIN_PORT);
    return c;
  }

  private static ObjectNode address(String host, int port) {
    ObjectNode a = YAML.createObjectNode();
    a.putObject("socket_address").put("address", host).put("port_value", port);
    return a;
  }
}
