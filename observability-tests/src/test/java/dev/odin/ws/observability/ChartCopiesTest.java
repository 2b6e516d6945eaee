package dev.odin.ws.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chart ships copies of grafana/ (the single source); scripts/sync-grafana.sh refreshes them. */
class ChartCopiesTest {
  private static final Path CHART_FILES = Grafana.root().resolve("charts/odin-ws-operator/files");

  @Test
  void theChartsDashboardsAreByteIdenticalCopiesOfGrafanaDashboards() throws IOException {
    assertIdenticalCopies(Grafana.dashboardFiles(), CHART_FILES.resolve("dashboards"), ".json");
  }

  @Test
  void theChartsRuleFilesAreByteIdenticalCopiesOfGrafanaRules() throws IOException {
    assertIdenticalCopies(Grafana.ruleFiles(), CHART_FILES.resolve("rules"), ".yaml");
  }

  private static void assertIdenticalCopies(List<Path> sources, Path copies, String suffix) throws IOException {
    assertThat(sources).isNotEmpty();
    assertThat(Grafana.list(copies, suffix)).extracting(p -> p.getFileName().toString())
        .as("files in %s (run scripts/sync-grafana.sh)", copies)
        .containsExactlyInAnyOrderElementsOf(sources.stream().map(p -> p.getFileName().toString()).toList());
    for (Path source : sources) {
      assertThat(Files.readString(copies.resolve(source.getFileName())))
          .as("%s differs from %s: run scripts/sync-grafana.sh", copies.resolve(source.getFileName()), source)
          .isEqualTo(Files.readString(source));
    }
  }
}
