package dev.odin.ws.chart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.testenv.CommandResult;
import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart as a user installs it: the real helm against a real API server, which validates every object, installs
 * the CRD and enforces RBAC. One release goes through install, upgrade and uninstall, in that order.
 */
@ExtendWith(ControlPlaneExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartInstallIT {
  /** As the README's install command names it; the chart names its objects release + chart name. */
  private static final String RELEASE = "odin-ws";
  private static final String FULLNAME = RELEASE + "-odin-ws-operator";
  private static final String CRD = "wsclusters.ws.odin.dev";
  private static KubeControlPlane plane;
  private static KubernetesClient admin;
  private static String ns;

  @BeforeAll
  static void controlPlane(KubeControlPlane controlPlane) {
    plane = controlPlane;
    admin = plane.adminClient();
    ns = plane.createNamespace("odin-system");
  }

  @Test
  @Order(1)
  void helmInstallCreatesTheCrdAndEveryObjectTheApiServerAccepts() {
    CommandResult install = plane.helm("install", RELEASE, Helm.CHART.toString(), "--namespace", ns).orFail();
    assertTrue(install.stdout().contains("STATUS: deployed"), install.stdout());
    plane.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/" + CRD).orFail();

    Deployment operator = admin.apps().deployments().inNamespace(ns).withName(FULLNAME).get();
    assertNotNull(operator, "operator Deployment");
    assertEquals(FULLNAME, operator.getSpec().getTemplate().getSpec().getServiceAccountName());
    assertNotNull(admin.serviceAccounts().inNamespace(ns).withName(FULLNAME).get());
    assertNotNull(admin.rbac().clusterRoles().withName(FULLNAME).get());
    assertNotNull(admin.rbac().clusterRoleBindings().withName(FULLNAME).get());
    assertNotNull(admin.rbac().roles().inNamespace(ns).withName(FULLNAME + "-leader-election").get());
    assertNotNull(admin.services().inNamespace(ns).withName(FULLNAME).get());
    // The Deployment controller made a ReplicaSet and its pod from the template: the API server accepted the pod
    // (probes, securityContext, resources); no kubelet runs it here.
    await().atMost(Duration.ofSeconds(60)).until(() ->
        admin.pods().inNamespace(ns).withLabel("app.kubernetes.io/instance", RELEASE).list().getItems().size() == 1);
  }

  @Test
  @Order(2)
  void theOperatorsServiceAccountGetsExactlyTheDocumentedPermissionsClusterWide() throws IOException {
    String user = "system:serviceaccount:" + ns + ":" + FULLNAME;
    List<String> denied = new ArrayList<>();
    for (String permission : RbacTest.documentedPermissions()) {
      String namespace = permission.startsWith(RbacTest.LEASES) ? ns : "some-team";
      if (!allowed(user, permission, namespace)) {
        denied.add(permission + " in " + namespace);
      }
    }
    assertEquals(List.of(), denied, "documented permissions the API server does not grant");
    // Secrets: the operator reads and creates its own management-token Secrets by name; it may never list or watch
    // Secrets (that would read every Secret of the namespace), rewrite or delete one (the garbage collector does).
    for (String beyond : List.of("/secrets:list", "/secrets:watch", "/secrets:update", "/secrets:patch",
        "/secrets:delete", "apps/daemonsets:create", "/pods:delete",
        RbacTest.LEASES + "create")) {
      String namespace = beyond.startsWith(RbacTest.LEASES) ? "some-team" : ns;
      assertFalse(allowed(user, beyond, namespace), beyond + " in " + namespace + " must not be granted");
    }
  }

  @Test
  @Order(3)
  void helmUpgradeWithWatchNamespacesReplacesTheClusterRoleByRolesInThoseNamespaces() {
    String teamA = plane.createNamespace("team-a");
    String teamB = plane.createNamespace("team-b");
    plane.helm("upgrade", RELEASE, Helm.CHART.toString(), "--namespace", ns,
        "--set", "watchNamespaces={" + teamA + "," + teamB + "}", "--set", "replicas=2").orFail();

    assertNull(admin.rbac().clusterRoles().withName(FULLNAME).get(), "ClusterRole left after the upgrade");
    assertNull(admin.rbac().clusterRoleBindings().withName(FULLNAME).get());
    for (String team : List.of(teamA, teamB)) {
      Role role = admin.rbac().roles().inNamespace(team).withName(FULLNAME).get();
      assertNotNull(role, "Role in " + team);
      assertNotNull(admin.rbac().roleBindings().inNamespace(team).withName(FULLNAME).get(), "RoleBinding in " + team);
    }
    Deployment operator = admin.apps().deployments().inNamespace(ns).withName(FULLNAME).get();
    assertEquals(2, operator.getSpec().getReplicas());
    assertTrue(operator.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .anyMatch(e -> e.getName().equals("ODIN_OPERATOR_WATCH_NAMESPACES")
            && e.getValue().equals(teamA + "," + teamB)));
    String user = "system:serviceaccount:" + ns + ":" + FULLNAME;
    assertTrue(allowed(user, "apps/statefulsets:create", teamA));
    assertFalse(allowed(user, "apps/statefulsets:create", "default"), "watched namespaces only");
  }

  @Test
  @Order(4)
  void badValuesAreRefusedByTheValuesSchemaAndNothingIsChanged() {
    CommandResult refused = plane.helm("upgrade", RELEASE, Helm.CHART.toString(), "--namespace", ns,
        "--set", "replicas=-1");
    assertEquals(1, refused.exitCode(), refused::toString);
    assertTrue(refused.stderr().contains("values don't meet the specifications of the schema"), refused.stderr());
    assertTrue(refused.stderr().contains("replicas: Must be greater than or equal to 0"), refused.stderr());
    assertEquals(2, admin.apps().deployments().inNamespace(ns).withName(FULLNAME).get().getSpec().getReplicas());
    String history = plane.helm("history", RELEASE, "--namespace", ns, "--max", "10").orFail().stdout();
    assertEquals(2, history.lines().filter(l -> l.matches("^\\d+\\s.*")).count(), history);
  }

  @Test
  @Order(5)
  void helmUninstallRemovesTheReleaseAndKeepsTheCrdAndUsersWsClusters() {
    String team = plane.createNamespace("kept");
    plane.kubectlWithInput("""
        apiVersion: ws.odin.dev/v1alpha1
        kind: WsCluster
        metadata:
          name: prices
        spec:
          shards: 1
          kafka:
            bootstrapServers: k:9092
            topics: [{name: prices}]
        """, "apply", "-n", team, "-f", "-").orFail();
    plane.helm("uninstall", RELEASE, "--namespace", ns, "--wait").orFail();

    assertNull(admin.apps().deployments().inNamespace(ns).withName(FULLNAME).get());
    assertNull(admin.serviceAccounts().inNamespace(ns).withName(FULLNAME).get());
    assertTrue(admin.rbac().roles().inAnyNamespace().withLabel("app.kubernetes.io/instance", RELEASE).list()
        .getItems().isEmpty(), "Roles left after uninstall");
    assertTrue(admin.rbac().clusterRoles().withLabel("app.kubernetes.io/instance", RELEASE).list().getItems()
        .stream().map(ClusterRole::getMetadata).toList().isEmpty());
    // Helm never deletes what it installed from crds/ (docs say so): the CRD and every WsCluster stay.
    assertNotNull(admin.apiextensions().v1().customResourceDefinitions().withName(CRD).get());
    assertEquals(Set.of("prices"), Set.copyOf(plane.kubectl("get", "wsc", "-n", team, "-o", "name").orFail().stdout()
        .lines().map(l -> l.substring(l.indexOf('/') + 1)).toList()));
  }

  /** Whether the API server's authorizers (RBAC here) allow {@code user} "group/resource:verb" in a namespace. */
  private static boolean allowed(String user, String permission, String namespace) {
    String group = permission.substring(0, permission.indexOf('/'));
    String resource = permission.substring(permission.indexOf('/') + 1, permission.indexOf(':'));
    String verb = permission.substring(permission.indexOf(':') + 1);
    String subresource = null;
    if (resource.contains("/")) {
      subresource = resource.substring(resource.indexOf('/') + 1);
      resource = resource.substring(0, resource.indexOf('/'));
    }
    SubjectAccessReview review = admin.authorization().v1().subjectAccessReview().create(
        new SubjectAccessReviewBuilder().withNewSpec().withUser(user)
            .withGroups("system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated")
            .withNewResourceAttributes().withGroup(group).withResource(resource).withSubresource(subresource)
            .withVerb(verb).withNamespace(namespace).endResourceAttributes().endSpec().build());
    return review.getStatus().getAllowed();
  }
}
