package dev.odin.ws.operator;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The operator's configuration, parsed once from the environment in {@code main}; immutable. */
public final class OperatorConfig {
  public static final String WATCH_NAMESPACES = "ODIN_OPERATOR_WATCH_NAMESPACES";
  public static final String SHARD_IMAGE = "ODIN_OPERATOR_SHARD_IMAGE";
  public static final String ENVOY_IMAGE = "ODIN_OPERATOR_ENVOY_IMAGE";
  public static final String LEADER_ELECTION = "ODIN_OPERATOR_LEADER_ELECTION";
  public static final String LEASE_NAME = "ODIN_OPERATOR_LEASE_NAME";
  public static final String LEASE_NAMESPACE = "ODIN_OPERATOR_LEASE_NAMESPACE";
  public static final String HTTP_PORT = "ODIN_OPERATOR_HTTP_PORT";
  public static final String STATS_INTERVAL_SECONDS = "ODIN_OPERATOR_STATS_INTERVAL_SECONDS";

  private final Set<String> watchNamespaces;
  private final String shardImage;
  private final String envoyImage;
  private final boolean leaderElection;
  private final String leaseName;
  private final String leaseNamespace;
  private final int httpPort;
  private final Duration statsInterval;
  private final String operatorNamespace;

  private OperatorConfig(Map<String, String> env) {
    watchNamespaces = Arrays.stream(env.getOrDefault(WATCH_NAMESPACES, "").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    shardImage = string(env, SHARD_IMAGE, "ghcr.io/odin-ws/shard-server:0.1.0");
    envoyImage = string(env, ENVOY_IMAGE, "envoyproxy/envoy:v1.34.1");
    leaderElection = bool(env, LEADER_ELECTION, true);
    leaseName = string(env, LEASE_NAME, "odin-ws-operator");
    leaseNamespace = string(env, LEASE_NAMESPACE, string(env, "POD_NAMESPACE", null));
    httpPort = integer(env, HTTP_PORT, 8080, 0, 65535);
    statsInterval = Duration.ofSeconds(integer(env, STATS_INTERVAL_SECONDS, 10, 1, 3600));
    operatorNamespace = string(env, "POD_NAMESPACE", null);
  }

  /** Parses {@code env}; throws {@link IllegalArgumentException} naming the bad variable. */
  public static OperatorConfig from(Map<String, String> env) {
    return new OperatorConfig(env);
  }

  /** Namespaces to watch; empty means all. */
  public Set<String> watchNamespaces() {
    return watchNamespaces;
  }

  public String shardImage() {
    return shardImage;
  }

  public String envoyImage() {
    return envoyImage;
  }

  public boolean leaderElection() {
    return leaderElection;
  }

  public String leaseName() {
    return leaseName;
  }

  /** {@value #LEASE_NAMESPACE}, else {@code POD_NAMESPACE}, else null: the client's namespace (in-cluster: its own). */
  public String leaseNamespace() {
    return leaseNamespace;
  }

  /** Port of /metrics, /healthz, /readyz; 0 picks a free port. */
  public int httpPort() {
    return httpPort;
  }

  /** How often each WsCluster's shard stats are read (and the autoscaler runs). */
  public Duration statsInterval() {
    return statsInterval;
  }

  /**
   * The operator pod's namespace ({@code POD_NAMESPACE}, from the downward API), which the shards' NetworkPolicy
   * admits to their management port; empty when the operator runs outside a pod.
   */
  public java.util.Optional<String> operatorNamespace() {
    return java.util.Optional.ofNullable(operatorNamespace);
  }

  @Override
  public String toString() {
    return "OperatorConfig{watchNamespaces=" + (watchNamespaces.isEmpty() ? "all" : watchNamespaces)
        + ", shardImage=" + shardImage + ", envoyImage=" + envoyImage
        + ", leaderElection=" + leaderElection + ", leaseName=" + leaseName + ", leaseNamespace=" + leaseNamespace
        + ", httpPort=" + httpPort + ", statsInterval=" + statsInterval + "}";
  }

  private static String string(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static boolean bool(Map<String, String> env, String name, boolean fallback) {
    String v = string(env, name, null);
    if (v == null) {
      return fallback;
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
  }

  private static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
    String v = string(env, name, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'", e);
    }
  }
}
