package dev.odin.ws.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The alert rules pass promtool, fire and stay quiet in promtool's unit tests, and are documented. */
class AlertRulesTest {
  private static final List<String> ALERTS = List.of("OdinWsShardNearCapacity", "OdinWsShardAtCapacity",
      "OdinWsDeliveryLatencyHigh", "OdinWsConsumerLagGrowing", "OdinWsSlowClientDisconnectSurge", "OdinWsAuthFailureSpike",
      "OdinWsShardNotReady", "OdinWsClusterNotReady", "OdinWsOperatorReconcileErrors");

  @Test
  void promtoolCheckRulesPasses() throws Exception {
    for (Path file : Grafana.ruleFiles()) {
      assertThat(promtool("check", "rules", file.toString())).contains("SUCCESS");
    }
  }

  @Test
  void promtoolUnitTestsMakeEveryAlertFireAndStayQuietOnTheirSyntheticSeries() throws Exception {
    Path test = Grafana.dir().resolve("tests/odin-ws.rules.test.yaml");
    assertThat(promtool("test", "rules", test.toString())).contains("SUCCESS");
    String tests = Files.readString(test);
    for (String alert : ALERTS) {
      assertThat(tests).as(alert + " has a firing case in the unit tests")
          .containsPattern("alertname: " + alert + "\\s+exp_alerts:\\s+- exp_labels");
      // exp_alerts lists must match exactly, so a firing case also proves the neighbouring series quiet.
      assertThat(tests).as(alert + " has a case where it stays quiet")
          .containsPattern("alertname: " + alert + "\\s+exp_alerts: \\[]");
    }
  }

  @Test
  void everyAlertHasSeveritySummaryDescriptionAndARunbookSectionInTheOperationsPage() throws Exception {
    String operations = Files.readString(Grafana.root().resolve("docs/operations.md"));
    List<String> names = new ArrayList<>();
    for (Path file : Grafana.ruleFiles()) {
      for (JsonNode group : Grafana.read(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          String name = rule.path("alert").asText();
          names.add(name);
          assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
          assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
          assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
          String anchor = name.toLowerCase();
          assertThat(rule.path("annotations").path("runbook_url").asText()).as(name)
              .endsWith("docs/operations.md#" + anchor);
          assertThat(operations).as("docs/operations.md has a section '### " + name + "'").contains("### " + name + "\n");
        }
      }
    }
    assertThat(names).containsExactlyInAnyOrderElementsOf(ALERTS);
  }

  @Test
  void thePrometheusRuleManifestHoldsExactlyTheGroupsOfThePlainRulesFile() {
    JsonNode manifest = Grafana.read(Grafana.dir().resolve("prometheusrule.yaml"));
    assertThat(manifest.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(manifest.path("kind").asText()).isEqualTo("PrometheusRule");
    assertThat(manifest.path("metadata").path("name").asText()).isNotBlank();
    List<JsonNode> groups = new ArrayList<>();
    Grafana.ruleFiles().forEach(f -> Grafana.read(f).path("groups").forEach(groups::add));
    List<JsonNode> inManifest = new ArrayList<>();
    manifest.path("spec").path("groups").forEach(inManifest::add);
    assertThat(inManifest).as("grafana/prometheusrule.yaml is stale: run scripts/sync-grafana.sh")
        .isEqualTo(groups);
  }

  static String promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Prometheus.binary("promtool")));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }
}
