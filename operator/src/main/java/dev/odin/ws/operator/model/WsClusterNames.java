package dev.odin.ws.operator.model;

import dev.odin.ws.api.WsCluster;

/** The name of every object the operator creates for a WsCluster; dependents and tests use only these. */
public final class WsClusterNames {
  private WsClusterNames() {}

  /** The shard StatefulSet; its pods are {@code <name>-shard-<index>}. */
  public static String statefulSet(WsCluster cr) {
    return cr.getMetadata().getName() + "-shard";
  }

  /** Pod of shard {@code index}. */
  public static String shardPod(WsCluster cr, int index) {
    return statefulSet(cr) + "-" + index;
  }

  /** ConfigMap with the shards' common {@code ODIN_WS_*} environment. */
  public static String shardConfig(WsCluster cr) {
    return cr.getMetadata().getName() + "-shard-config";
  }

  /** Headless Service over all shard pods (ready or not): stable pod DNS, Envoy's STRICT_DNS target. */
  public static String headlessService(WsCluster cr) {
    return cr.getMetadata().getName() + "-shards";
  }

  /** The public entry point Service: Envoy's, or the shards' own when balancer.type=Service. */
  public static String publicService(WsCluster cr) {
    return cr.getMetadata().getName();
  }

  /** PodDisruptionBudget of the shards. */
  public static String podDisruptionBudget(WsCluster cr) {
    return statefulSet(cr);
  }

  /** ConfigMap with the Envoy bootstrap. */
  public static String envoyConfig(WsCluster cr) {
    return cr.getMetadata().getName() + "-envoy";
  }

  /** Envoy Deployment. */
  public static String envoyDeployment(WsCluster cr) {
    return cr.getMetadata().getName() + "-envoy";
  }

  /** ClusterIP Service over the Envoy pods' metrics listener (port {@code envoy-metrics}). */
  public static String envoyMetricsService(WsCluster cr) {
    return cr.getMetadata().getName() + "-envoy-metrics";
  }

  /** ServiceMonitor of the shards' /metrics and Envoy's /stats/prometheus (named after the shards, as before). */
  public static String serviceMonitor(WsCluster cr) {
    return statefulSet(cr);
  }

  /** Secret with the bearer token of the shards' POST /drain and /shed, made by the operator (key {@code token}). */
  public static String managementToken(WsCluster cr) {
    return cr.getMetadata().getName() + "-management-token";
  }

  /** NetworkPolicy around the shard pods. */
  public static String networkPolicy(WsCluster cr) {
    return statefulSet(cr);
  }

  /** In-cluster DNS name of the headless Service. */
  public static String headlessServiceHost(WsCluster cr) {
    return headlessService(cr) + "." + cr.getMetadata().getNamespace() + ".svc.cluster.local";
  }

  /** In-cluster DNS name of shard {@code index} (through the headless Service). */
  public static String shardHost(WsCluster cr, int index) {
    return shardPod(cr, index) + "." + headlessServiceHost(cr);
  }
}
