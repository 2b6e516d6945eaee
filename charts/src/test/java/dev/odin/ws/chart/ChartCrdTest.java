package dev.odin.ws.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chart installs the generated WsCluster CRD from crds/, the single source, through an exact copy. */
class ChartCrdTest {

  static final String CRD_FILE = "wsclusters.ws.odin.dev-v1.yml";

  @Test
  void chartCarriesAnExactCopyOfTheGeneratedCrd() throws IOException {
    Path source = Helm.REPO.resolve("crds").resolve(CRD_FILE);
    Path copy = Helm.CHART.resolve("crds").resolve(CRD_FILE);
    assertTrue(Files.exists(source), "missing " + source);
    assertEquals(Files.readString(source), Files.readString(copy),
        "charts/odin-ws-operator/crds/ differs from crds/: run scripts/sync-chart-crd.sh");
  }

  @Test
  void crdIsInstalledFromCrdsOnlyAndMatchesWhatTheOperatorIsGranted() {
    assertEquals(List.of(), Helm.template().all(CustomResourceDefinition.class), "the CRD is not a template");

    Manifests rendered = Helm.template("--include-crds");
    CustomResourceDefinition crd = rendered.one(CustomResourceDefinition.class);
    assertEquals("ws.odin.dev", crd.getSpec().getGroup());
    assertEquals(List.of("wsc"), crd.getSpec().getNames().getShortNames(), "NOTES.txt uses `kubectl get wsc`");
    String wsclusters = crd.getSpec().getGroup() + "/" + crd.getSpec().getNames().getPlural() + ":";
    assertTrue(RbacTest.permissions(rendered.one(ClusterRole.class).getRules()).stream()
        .anyMatch(p -> p.startsWith(wsclusters)), "the ClusterRole grants " + wsclusters);
  }
}
