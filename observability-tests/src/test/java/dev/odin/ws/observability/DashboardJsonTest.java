package dev.odin.ws.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dashboards are importable and portable: datasource variable, chained variables, fixed uids, units. */
class DashboardJsonTest {
  private static final Map<String, String> DATASOURCE = Map.of("type", "prometheus", "uid", "${DS_PROMETHEUS}");

  @Test
  void thereIsOneDashboardPerComponentEachWithItsOwnFixedUid() {
    List<String> uids = new ArrayList<>();
    for (Path file : Grafana.dashboardFiles()) {
      JsonNode d = Grafana.read(file);
      assertThat(d.path("uid").asText()).as(file.toString()).isNotBlank().hasSizeLessThanOrEqualTo(40);
      assertThat(d.path("id").isMissingNode() || d.path("id").isNull()).as(file + ": no instance id").isTrue();
      assertThat(d.path("tags")).as(file + " tags").isNotEmpty();
      assertThat(d.path("tags").toString()).contains("odin-ws");
      assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
      uids.add(d.path("uid").asText());
    }
    assertThat(uids).containsExactlyInAnyOrder("odin-ws-balancer", "odin-ws-cluster-overview", "odin-ws-operator");
  }

  @Test
  void everyPanelAndTargetUsesTheDsPrometheusVariableNeverAHardCodedDatasource() {
    for (Path file : Grafana.dashboardFiles()) {
      JsonNode d = Grafana.read(file);
      JsonNode ds = d.path("templating").path("list").get(0);
      assertThat(ds.path("name").asText()).isEqualTo("DS_PROMETHEUS");
      assertThat(ds.path("type").asText()).isEqualTo("datasource");
      assertThat(ds.path("query").asText()).isEqualTo("prometheus");
      for (JsonNode panel : Grafana.panels(d)) {
        if ("row".equals(panel.path("type").asText())) {
          continue;
        }
        assertThat(Grafana.JSON.convertValue(panel.path("datasource"), Map.class)).as(file + " " + panel.path("title"))
            .isEqualTo(DATASOURCE);
        panel.path("targets").forEach(t -> assertThat(Grafana.JSON.convertValue(t.path("datasource"), Map.class))
            .as(file + " " + panel.path("title")).isEqualTo(DATASOURCE));
      }
      d.path("templating").path("list").forEach(v -> {
        if ("query".equals(v.path("type").asText())) {
          assertThat(Grafana.JSON.convertValue(v.path("datasource"), Map.class)).isEqualTo(DATASOURCE);
        }
      });
    }
  }

  @Test
  void variablesChainNamespaceToWsClusterToShardAndTheirAllValueMatchesAMissingLabel() {
    for (Path file : Grafana.dashboardFiles()) {
      List<JsonNode> vars = new ArrayList<>();
      Grafana.read(file).path("templating").path("list").forEach(vars::add);
      assertThat(vars).extracting(v -> v.path("name").asText())
          .containsExactly("DS_PROMETHEUS", "namespace", "wscluster", "shard");
      assertThat(vars.get(2).path("query").asText()).contains("namespace=~\"$namespace\"");
      assertThat(vars.get(3).path("query").asText())
          .contains("namespace=~\"$namespace\"").contains("=~\"$wscluster\"");
      for (JsonNode v : vars.subList(1, 4)) {
        assertThat(v.path("includeAll").asBoolean()).as(file + " " + v.path("name")).isTrue();
        assertThat(v.path("allValue").asText()).as("'.*' also matches series without the label (local mode)")
            .isEqualTo(".*");
      }
    }
  }

  @Test
  void panelIdsAreUniqueAndEveryPanelHasAUnitADescriptionAndQueriesInsideRows() {
    for (Path file : Grafana.dashboardFiles()) {
      JsonNode d = Grafana.read(file);
      Set<Integer> ids = new HashSet<>();
      assertThat(d.path("panels").get(0).path("type").asText()).as(file + ": starts with a row").isEqualTo("row");
      int rows = 0;
      for (JsonNode panel : Grafana.panels(d)) {
        assertThat(ids.add(panel.path("id").asInt())).as(file + ": duplicate panel id " + panel.path("id")).isTrue();
        if ("row".equals(panel.path("type").asText())) {
          rows++;
          continue;
        }
        String where = file.getFileName() + " / " + panel.path("title").asText();
        assertThat(panel.path("fieldConfig").path("defaults").path("unit").asText()).as(where + " unit").isNotBlank();
        assertThat(panel.path("description").asText()).as(where + " description").isNotBlank();
        assertThat(panel.path("targets")).as(where + " targets").isNotEmpty();
        panel.path("targets").forEach(t -> assertThat(t.path("expr").asText()).as(where).isNotBlank());
        JsonNode grid = panel.path("gridPos");
        assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(where + " fits the grid").isLessThanOrEqualTo(24);
      }
      assertThat(rows).as(file + " rows").isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void everyShardQueryFiltersByTheDashboardVariables() {
    for (Path file : Grafana.dashboardFiles()) {
      for (Grafana.Query q : Grafana.panelQueries(file, Map.of())) {
        if (q.expr().contains("ws_") && !q.expr().contains("wscluster_")) {
          assertThat(q.expr()).as(q.source())
              .contains("namespace=~\"$namespace\"", "cluster=~\"$wscluster\"", "shard=~\"$shard\"");
        }
      }
    }
  }
}
