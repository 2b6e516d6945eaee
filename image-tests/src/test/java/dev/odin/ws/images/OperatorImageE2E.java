package dev.odin.ws.images;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterYaml;
import dev.odin.ws.testenv.ControlPlaneExtension;
import dev.odin.ws.testenv.KubeControlPlane;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator image, as Jib built it, started from its own unpacked root filesystem with its own entry point, user,
 * environment and working directory, against the tests' real Kubernetes API server (docs/testenv.md) with a token of
 * the chart's ServiceAccount: enough to prove the image starts, becomes ready and reconciles under the chart's RBAC;
 * the reconciling itself is proven in the operator's own tests.
 */
@ExtendWith(ControlPlaneExtension.class)
class OperatorImageE2E {
  private static final String SHARD_IMAGE = "registry.example.com/odin-ws/shard-server:1.2.3";
  private static final String RELEASE = "odin-ws";
  private static UnpackedImage image;
  private static KubeControlPlane plane;
  private static KubernetesClient client;
  private static String operatorNs;
  private static String ns;

  private Process operator;
  private int httpPort;

  @BeforeAll
  static void unpack(KubeControlPlane controlPlane) throws Exception {
    image = UnpackedImage.unpack("operator", "operator");
    plane = controlPlane;
    client = plane.adminClient();
    operatorNs = plane.createNamespace("odin-system");
    ns = plane.createNamespace("shop");
    // The chart's CRD, ServiceAccount and RBAC; its Deployment's pod is not run here (no kubelet): the image is.
    plane.helm("install", RELEASE, UnpackedImage.REPO.resolve("charts/odin-ws-operator").toString(),
        "--namespace", operatorNs).orFail();
    plane.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/" + WsCluster.CRD_NAME).orFail();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (operator != null) {
      UnpackedImage.stop(operator, 30);
    }
  }

  @Test
  void theOperatorImageStartsBecomesReadyAndReconcilesAWsCluster() throws Exception {
    start(plane.serverUrl(), "operator.log");
    await("operator /readyz 200 (log: target/images/operator/operator.log)")
        .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .until(() -> alive("operator.log") && UnpackedImage.httpStatus(httpPort, "/healthz") == 200
            && UnpackedImage.httpStatus(httpPort, "/readyz") == 200);

    WsCluster cluster = WsClusterYaml.load(UnpackedImage.REPO.resolve("examples/wscluster-minimal.yaml"));
    cluster.getMetadata().setNamespace(ns);
    client.resource(cluster).create();
    await("a shard StatefulSet for the WsCluster").atMost(Duration.ofSeconds(60))
        .until(() -> alive("operator.log")
            && !client.apps().statefulSets().inNamespace(ns).list().getItems().isEmpty());
    StatefulSet shards = client.apps().statefulSets().inNamespace(ns).list().getItems().get(0);
    assertEquals(cluster.getSpec().getShards(), shards.getSpec().getReplicas());
    assertEquals(SHARD_IMAGE, shards.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());

    long pid = operator.pid();
    assertEquals("10001\t10001\t10001\t10001", UnpackedImage.procStatus(pid, "Uid"));
    assertTrue(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).startsWith(image.rootfs));
    assertTrue(UnpackedImage.rootMountOptions(pid).startsWith("ro,"), UnpackedImage.rootMountOptions(pid));
    assertEquals(List.of("java", "@/opt/odin-ws/jvm.args", "-cp", "@/app/jib-classpath-file",
        "@/app/jib-main-class-file"), image.entrypoint());
    assertEquals("dev.odin.ws.operator.OperatorMain",
        Files.readString(image.rootfs.resolve("app/jib-main-class-file")).trim());
    assertEquals(Files.readString(UnpackedImage.REPO.resolve("operator/src/main/jib/opt/odin-ws/jvm.args")),
        Files.readString(image.rootfs.resolve("opt/odin-ws/jvm.args")));
  }

  @Test
  void withoutAKubernetesApiTheOperatorExitsSayingWhySoTheKubeletRestartsIt() throws Exception {
    // Nothing listens there: what a pod whose API server is unreachable goes through.
    start("http://127.0.0.1:" + UnpackedImage.freePort(), "no-api.log");
    await("the operator gives up starting (log: target/images/operator/no-api.log)")
        .atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
        .until(() -> !operator.isAlive() || UnpackedImage.httpStatus(httpPort, "/readyz") == 200);
    assertEquals(1, operator.exitValue(), image.log("no-api.log"));
    assertTrue(image.log("no-api.log").contains("operator did not start; exiting"), image.log("no-api.log"));
  }

  private void start(String apiServer, String log) throws IOException {
    httpPort = UnpackedImage.freePort();
    String serviceAccount = RELEASE + "-odin-ws-operator";
    operator = image.start(Map.of(
        // fabric8's own settings: this API server and its CA, a token of the chart's ServiceAccount, and no
        // kubeconfig or mounted service account to look for.
        "KUBERNETES_MASTER", apiServer,
        "KUBERNETES_CERTS_CA_DATA", java.util.Base64.getEncoder().encodeToString(
            plane.certificateAuthorityPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
        "KUBERNETES_AUTH_TOKEN", plane.serviceAccountToken(operatorNs, serviceAccount, Duration.ofHours(1)),
        "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
        "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false",
        "POD_NAMESPACE", operatorNs,
        "ODIN_OPERATOR_HTTP_PORT", Integer.toString(httpPort),
        "ODIN_OPERATOR_SHARD_IMAGE", SHARD_IMAGE), log);
  }

  private boolean alive(String log) {
    if (!operator.isAlive()) {
      throw new AssertionError("the operator exited with " + operator.exitValue() + ":\n" + image.log(log));
    }
    return true;
  }
}
