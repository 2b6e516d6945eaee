package dev.odin.ws.testenv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The control plane the other modules' tests stand on: what it enforces and which controllers run. */
@ExtendWith(ControlPlaneExtension.class)
class KubeControlPlaneIT {
  private static String ns;

  @BeforeAll
  static void namespace(KubeControlPlane plane) {
    ns = plane.createNamespace("testenv");
  }

  @Test
  void kubectlOfTheSameReleaseTalksToTheApiServerAsAdmin(KubeControlPlane plane) {
    CommandResult version = plane.kubectl("version", "-o", "json").orFail();
    assertTrue(version.stdout().contains("\"gitVersion\": \"v1.37.2\""), version.stdout());
    CommandResult auth = plane.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").orFail();
    assertEquals("odin-admin", auth.stdout());
  }

  @Test
  void aServiceAccountTokenHasOnlyTheRightsRbacGrantsIt(KubeControlPlane plane) {
    plane.adminClient().serviceAccounts().inNamespace(ns)
        .resource(new ServiceAccountBuilder().withNewMetadata().withName("reader").endMetadata().build()).create();
    try (KubernetesClient asReader = KubeControlPlane.client(plane.serviceAccountKubeconfig(ns, "reader"))) {
      KubernetesClientException refused = org.junit.jupiter.api.Assertions.assertThrows(
          KubernetesClientException.class, () -> asReader.configMaps().inNamespace(ns).list());
      assertEquals(403, refused.getCode());
      assertTrue(refused.getMessage().contains("system:serviceaccount:" + ns + ":reader"), refused.getMessage());
    }
  }

  @Test
  void theControllerManagerRunsDeploymentsAndGarbageCollection(KubeControlPlane plane) {
    KubernetesClient admin = plane.adminClient();
    Deployment deployment = admin.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
        .withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage("example/web:1").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() ->
        admin.pods().inNamespace(ns).withLabel("app", "web").list().getItems().size() == 2);
    ConfigMap owned = admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
        .withNewMetadata().withName("owned").addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment")
        .withName("web").withUid(deployment.getMetadata().getUid()).endOwnerReference().endMetadata().build())
        .create();
    assertNotNull(owned);
    admin.apps().deployments().inNamespace(ns).withName("web").delete();
    await().atMost(Duration.ofSeconds(60)).until(() ->
        admin.configMaps().inNamespace(ns).withName("owned").get() == null
            && admin.pods().inNamespace(ns).withLabel("app", "web").list().getItems().isEmpty());
    assertFalse(admin.pods().inNamespace(ns).list().getItems().stream().anyMatch(p -> p.getSpec().getNodeName() != null),
        "no scheduler runs: pods stay unbound");
  }
}
