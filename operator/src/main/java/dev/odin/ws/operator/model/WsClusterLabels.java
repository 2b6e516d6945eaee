package dev.odin.ws.operator.model;

import dev.odin.ws.api.WsCluster;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The one label set ({@code app.kubernetes.io/*}) on every object; the informers select on {@link #MANAGED}. */
public final class WsClusterLabels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String APP = "odin-ws";
  public static final String OPERATOR = "odin-ws-operator";
  public static final String SHARD = "shard";
  public static final String BALANCER = "balancer";
  /** Label selector of everything this operator manages (informer filter). */
  public static final String MANAGED = MANAGED_BY + "=" + OPERATOR;

  private WsClusterLabels() {}

  /** Full label set of an object of {@code component}. */
  public static Map<String, String> labels(WsCluster cr, String component) {
    Map<String, String> labels = new TreeMap<>(selector(cr, component));
    labels.put(MANAGED_BY, OPERATOR);
    return labels;
  }

  /** The immutable selector of {@code component}'s pods (no managed-by: selectors never change). */
  public static Map<String, String> selector(WsCluster cr, String component) {
    Map<String, String> labels = instanceSelector(cr);
    labels.put(COMPONENT, component);
    return labels;
  }

  /** The labels every object of one WsCluster carries, whatever its component. */
  public static Map<String, String> instanceSelector(WsCluster cr) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, cr.getMetadata().getName());
    return labels;
  }

  /** The shard selector as a string, for status.selector (the scale subresource). */
  public static String shardSelectorString(WsCluster cr) {
    return selector(cr, SHARD).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
