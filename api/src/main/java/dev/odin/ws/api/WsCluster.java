package dev.odin.ws.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A sharded WebSocket fan-out cluster fed from Kafka: the one resource users edit. */
@Group(WsCluster.GROUP)
@Version(WsCluster.VERSION)
@Kind(WsCluster.KIND)
@Plural(WsCluster.PLURAL)
@Singular("wscluster")
@ShortNames("wsc")
@AdditionalPrinterColumn(
    name = "Shards",
    jsonPath = ".spec.shards",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.readyShards",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Connections",
    jsonPath = ".status.connections",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = WsCluster.NAME_LENGTH_RULE, message = WsCluster.NAME_LENGTH_MESSAGE)
public class WsCluster extends CustomResource<WsClusterSpec, WsClusterStatus> implements Namespaced {
  public static final String GROUP = "ws.odin.dev";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "WsCluster";
  public static final String PLURAL = "wsclusters";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CRD_NAME = PLURAL + "." + GROUP;
  /**
   * Longest name: the StatefulSet {@code <name>-shard} plus the controller-revision-hash suffix Kubernetes adds
   * to it must fit a 63-character label value.
   */
  public static final int MAX_NAME_LENGTH = 46;
  public static final String NAME_LENGTH_RULE = "self.metadata.name.size() <= " + MAX_NAME_LENGTH;
  public static final String NAME_LENGTH_MESSAGE =
      "metadata.name must be at most " + MAX_NAME_LENGTH + " characters (the shard StatefulSet's revision label)";
}
