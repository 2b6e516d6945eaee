package dev.odin.ws.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChartRenderTest {

  static final String ALL_FEATURES = Helm.REPO.resolve("charts/src/test/resources/all-features.yaml").toString();

  @Test
  void lintStrictPassesWithDefaultsAndWithEveryFeatureOn() {
    for (List<String> args : List.of(List.<String>of(), List.of("--values", ALL_FEATURES))) {
      Helm.Result lint = Helm.run(Stream.concat(Stream.of("lint", "--strict", Helm.CHART.toString()), args.stream())
          .toArray(String[]::new));
      assertEquals(0, lint.exitCode(), () -> "helm lint --strict " + args + ":\n" + lint.stdout() + lint.stderr());
    }
  }

  @Test
  void defaultsRenderTheOperatorWithClusterWideRbacAndNoOptionalObjects() {
    assertEquals(
        List.of("ClusterRole", "ClusterRoleBinding", "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"),
        Helm.template().kinds());
  }

  @Test
  void everyFeatureOnAddsServiceMonitorDashboardConfigMapsAndPrometheusRule(@TempDir Path dir) throws IOException {
    Path chart = Helm.chartWithFiles(dir, "dashboards/odin-ws-operator.json", "rules/operator.yaml", "rules/shards.yaml");
    Manifests rendered = Helm.template(chart, "--values", ALL_FEATURES);

    ServiceMonitor monitor = rendered.one(ServiceMonitor.class);
    Service service = rendered.one(Service.class);
    assertEquals(service.getSpec().getSelector(), monitor.getSpec().getSelector().getMatchLabels());
    assertEquals("http", monitor.getSpec().getEndpoints().get(0).getPort());
    assertEquals("/metrics", monitor.getSpec().getEndpoints().get(0).getPath());
    assertEquals("prometheus", monitor.getMetadata().getLabels().get("release"));

    ConfigMap dashboard = rendered.one(ConfigMap.class);
    assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));
    assertEquals("monitoring", dashboard.getMetadata().getNamespace());
    assertEquals("odin-ws", dashboard.getMetadata().getAnnotations().get("grafana_folder"));
    assertEquals(
        Files.readString(chart.resolve("files/dashboards/odin-ws-operator.json")).strip(),
        dashboard.getData().get("odin-ws-operator.json"));

    PrometheusRule rule = rendered.one(PrometheusRule.class);
    assertEquals(
        List.of("odin-ws-operator", "odin-ws-shards"),
        rule.getSpec().getGroups().stream().map(RuleGroup::getName).toList(),
        "groups of a plain rule file and of a PrometheusRule file");
    Rule lagging = rule.getSpec().getGroups().get(1).getRules().get(0);
    assertTrue(
        lagging.getAnnotations().get("description").contains("{{ $labels.shard }}"),
        "alert templates pass through Helm untouched");
  }

  @Test
  void dashboardsAndRulesRenderNothingWhileTheirDirectoriesAreEmpty(@TempDir Path dir) throws IOException {
    Manifests rendered = Helm.template(Helm.chartWithFiles(dir), "--values", ALL_FEATURES);
    assertTrue(rendered.all(ConfigMap.class).isEmpty());
    assertTrue(rendered.all(PrometheusRule.class).isEmpty());
    assertEquals(1, rendered.all(ServiceMonitor.class).size());
  }

  static Stream<List<String>> variants() {
    return Stream.of(
        List.of("--include-crds"),
        List.of("--include-crds", "--values", ALL_FEATURES),
        List.of("--set", "watchNamespaces={team-a,team-b}", "--set", "leaderElection=false"));
  }

  @ParameterizedTest
  @MethodSource("variants")
  void everyRenderedObjectIsATypedKubernetesObjectWithoutUnknownFields(List<String> args, @TempDir Path dir)
      throws IOException {
    Path chart = Helm.chartWithFiles(dir, "dashboards/odin-ws-operator.json", "rules/operator.yaml");
    Manifests rendered = Helm.template(chart, args.toArray(String[]::new));
    assertEquals(List.of(), rendered.untyped(), "kinds unknown to fabric8's model");
    rendered.stream().forEach(doc -> {
      assertEquals(List.of(), Manifests.unknownFields(doc.object()), doc.kind() + " " + doc.name());
      assertEquals(List.of(), Manifests.differences(doc.tree(), Manifests.YAML.valueToTree(doc.object())),
          doc.kind() + " " + doc.name() + " round trip");
    });
  }

  @Test
  void unknownFieldCheckFindsTyposThatHelmLintLetsThrough() {
    Manifests typo = Manifests.parse("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          replica: 2
          template:
            spec:
              containers: [{name: c, image: i, imagePullPolcy: Always}]
        """);
    assertEquals(
        List.of(".spec [replica]", ".spec.template.spec.containers[0] [imagePullPolcy]"),
        Manifests.unknownFields(typo.one(Deployment.class)).stream().sorted().toList());
  }

  @Test
  void operatorPodMeetsTheRestrictedPodSecurityStandard() {
    Deployment deployment = Helm.template().one(Deployment.class);
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertEquals(true, pod.getSecurityContext().getRunAsNonRoot());
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    var container = operator(deployment).getSecurityContext();
    assertEquals(true, container.getRunAsNonRoot());
    assertEquals(true, container.getReadOnlyRootFilesystem());
    assertEquals(false, container.getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), container.getCapabilities().getDrop());
    assertTrue(container.getCapabilities().getAdd().isEmpty());
    assertEquals("/tmp", operator(deployment).getVolumeMounts().get(0).getMountPath(), "writable /tmp for the JVM");
  }

  @Test
  void operatorIsConfiguredThroughItsDocumentedEnvironment() {
    Container operator = operator(Helm.template(
        "--set", "watchNamespaces={team-a,team-b}", "--set", "shardImage.tag=9.9.9",
        "--set", "httpPort=8081").one(Deployment.class));
    Map<String, EnvVar> env = operator.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
    assertEquals("team-a,team-b", env.get("ODIN_OPERATOR_WATCH_NAMESPACES").getValue());
    assertEquals("ghcr.io/odin-ws/shard-server:9.9.9", env.get("ODIN_OPERATOR_SHARD_IMAGE").getValue());
    assertEquals("true", env.get("ODIN_OPERATOR_LEADER_ELECTION").getValue());
    assertEquals("8081", env.get("ODIN_OPERATOR_HTTP_PORT").getValue());
    assertEquals("metadata.namespace", env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath());
    assertEquals("metadata.name", env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath());
    assertEquals(8081, operator.getPorts().get(0).getContainerPort());
    assertEquals("ghcr.io/odin-ws/operator:0.1.0", operator.getImage());
  }

  @Test
  void imagesDefaultToTheChartsAppVersion() {
    Container operator = operator(Helm.template().one(Deployment.class));
    assertEquals("ghcr.io/odin-ws/operator:0.1.0", operator.getImage());
    assertTrue(operator.getEnv().contains(new EnvVar("ODIN_OPERATOR_SHARD_IMAGE", "ghcr.io/odin-ws/shard-server:0.1.0", null)));
  }

  @Test
  void probesCheckHealthzAndReadyzOnTheHttpPortThatTheServiceExposes() {
    Manifests rendered = Helm.template();
    Container operator = operator(rendered.one(Deployment.class));
    assertEquals("/healthz", operator.getLivenessProbe().getHttpGet().getPath());
    assertEquals("/healthz", operator.getStartupProbe().getHttpGet().getPath());
    assertEquals("/readyz", operator.getReadinessProbe().getHttpGet().getPath());
    assertEquals("http", operator.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("http", operator.getPorts().get(0).getName());
    assertEquals("http", rendered.one(Service.class).getSpec().getPorts().get(0).getTargetPort().getStrVal());
    assertFalse(operator.getResources().getRequests().isEmpty());
    assertFalse(operator.getResources().getLimits().isEmpty());
  }

  @Test
  void everyObjectCarriesTheAppKubernetesIoLabelsAndNoLegacyOnes(@TempDir Path dir) throws IOException {
    Path chart = Helm.chartWithFiles(dir, "dashboards/odin-ws-operator.json", "rules/operator.yaml");
    Manifests rendered = Helm.template(chart, "--set", "serviceMonitor.enabled=true",
        "--set", "dashboards.enabled=true", "--set", "prometheusRule.enabled=true");
    assertEquals(10, rendered.docs().size());
    rendered.stream().forEach(doc -> {
      Map<String, String> labels = doc.object().getMetadata().getLabels();
      assertEquals("odin-ws-operator", labels.get("app.kubernetes.io/name"), doc.kind());
      assertEquals(Helm.RELEASE, labels.get("app.kubernetes.io/instance"), doc.kind());
      assertEquals("Helm", labels.get("app.kubernetes.io/managed-by"), doc.kind());
      for (String legacy : List.of("app", "chart", "release", "heritage")) {
        assertFalse(labels.containsKey(legacy), doc.kind() + " has legacy label " + legacy);
      }
    });
  }

  @Test
  void moreThanOneReplicaWithoutLeaderElectionIsRefused() {
    Helm.Result result = Helm.run(Helm.templateArgs(Helm.CHART, "--set", "replicas=2", "--set", "leaderElection=false"));
    assertNotEquals(0, result.exitCode());
    assertTrue(result.stderr().contains("replicas > 1 needs leaderElection: true"), result.stderr());
  }

  private static Container operator(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }
}
