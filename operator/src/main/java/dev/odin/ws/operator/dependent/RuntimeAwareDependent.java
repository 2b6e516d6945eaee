package dev.odin.ws.operator.dependent;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.operator.OperatorRuntime;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** A dependent whose desired state needs the operator's configuration or scale-down state. */
abstract class RuntimeAwareDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, WsCluster>
    implements OperatorRuntime.Aware {
  protected OperatorRuntime runtime;

  RuntimeAwareDependent(Class<R> type) {
    super(type);
  }

  @Override
  public void init(OperatorRuntime runtime) {
    this.runtime = runtime;
  }
}
