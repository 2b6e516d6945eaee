package dev.odin.ws.operator;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.testenv.KubernetesBinaries;
import java.nio.file.Path;

/** What the operator's tests on the control plane share. */
final class OperatorTests {
  /** The CRD users apply (crds/, the checked-in copy of the generated one). */
  static final Path CRD = KubernetesBinaries.repo().resolve("crds").resolve(WsCluster.CRD_NAME + "-v1.yml");

  private OperatorTests() {}
}
