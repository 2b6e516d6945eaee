package dev.odin.ws.operator.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;

/**
 * Envoy's bootstrap for one WsCluster (DESIGN §7): a WebSocket listener with no timeout that could cut a live
 * connection, and a cluster over the shards' headless Service balanced by least-request with a full scan (an
 * upgraded WebSocket is an active request for its whole life), health-checked on the shards' /readyz.
 */
public final class EnvoyBootstrap {
  public static final String CLUSTER = "shards";
  /** Far above Envoy's default of 1024, which would silently cap connections per Envoy. */
  public static final long CIRCUIT_BREAKER_LIMIT = 1_000_000;
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
  private static final String HCM =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  private static final String ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
  private static final String LEAST_REQUEST =
      "type.googleapis.com/envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest";

  private EnvoyBootstrap() {}

  public static String yaml(WsCluster cr) {
    ObjectNode root = YAML.createObjectNode();
    root.putObject("admin").set("address", address("0.0.0.0", EnvoyModel.ADMIN_PORT));
    ObjectNode resources = root.putObject("static_resources");
    resources.putArray("listeners").add(listener());
    resources.putArray("clusters").add(cluster(cr));
    try {
      return YAML.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode listener() {
    ObjectNode hcm = YAML.createObjectNode();
    hcm.put("@type", HCM).put("stat_prefix", "ws").put("codec_type", "AUTO");
    hcm.putArray("upgrade_configs").addObject().put("upgrade_type", "websocket");
    hcm.put("stream_idle_timeout", "0s"); // 0 disables: a quiet subscriber is still a live WebSocket
    hcm.put("request_timeout", "0s");
    ObjectNode route = hcm.putObject("route_config").put("name", "ws").putArray("virtual_hosts").addObject()
        .put("name", "ws");
    route.putArray("domains").add("*");
    ObjectNode r = route.putArray("routes").addObject();
    r.putObject("match").put("prefix", "/");
    r.putObject("route").put("cluster", CLUSTER).put("timeout", "0s").put("idle_timeout", "0s");
    hcm.putArray("http_filters").addObject().put("name", "envoy.filters.http.router")
        .putObject("typed_config").put("@type", ROUTER);
    ObjectNode listener = YAML.createObjectNode().put("name", "ws");
    listener.set("address", address("0.0.0.0", EnvoyModel.LISTENER_PORT));
    listener.putArray("filter_chains").addObject().putArray("filters").addObject()
        .put("name", "envoy.filters.network.http_connection_manager").set("typed_config", hcm);
    return listener;
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
