package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The process kubelet's tests' container: {@link PodProcessMain} under a made-up image, and how to talk to it. */
final class PodProcesses {
  static final String IMAGE_REPOSITORY = "odin-test/pod-process";
  static final String IMAGE = IMAGE_REPOSITORY + ":1";
  static final int PORT = 8080;
  static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PodProcesses() {}

  /** Runs the image as a small JVM of this test classpath, bound to the pod's address. */
  static ContainerRuntime runtime() {
    return ContainerRuntime.javaMain(System.getProperty("java.class.path"), PodProcessMain.class.getName(),
            List.of("-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"))
        .withEnv(context -> Map.of("BIND_ADDRESS", context.podIp()));
  }

  static ProcessKubelet kubelet(KubeControlPlane plane, PodNetwork network, String namespace) {
    return ProcessKubelet.builder(plane).namespaces(namespace).network(network).runtime(IMAGE_REPOSITORY, runtime())
        .start();
  }

  /**
   * The container: port {@code http}; by that name, every second, readiness on /readyz and liveness on /healthz,
   * after a startup probe on /healthz that gives the JVM two minutes to come up (a JVM on a loaded machine takes
   * seconds; a liveness probe alone would kill it first, as it would on a real node).
   */
  static ContainerBuilder container() {
    return new ContainerBuilder().withName("app").withImage(IMAGE)
        .addNewPort().withName("http").withContainerPort(PORT).endPort()
        .withStartupProbe(new ProbeBuilder().withNewHttpGet().withPath("/healthz").withNewPort("http").endHttpGet()
            .withPeriodSeconds(1).withFailureThreshold(120).build())
        .withReadinessProbe(new ProbeBuilder().withNewHttpGet().withPath("/readyz").withNewPort("http").endHttpGet()
            .withPeriodSeconds(1).withFailureThreshold(1).build())
        .withLivenessProbe(new ProbeBuilder().withNewHttpGet().withPath("/healthz").withNewPort("http").endHttpGet()
            .withPeriodSeconds(1).withFailureThreshold(2).build());
  }

  static Container plainContainer() {
    return container().build();
  }

  /** GET {@code path} from the pod's process at its address; the body, or an AssertionError with the status. */
  static String get(String podIp, String path) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + podIp + ":" + PORT
          + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError("GET " + path + " at " + podIp + ": " + response.statusCode() + " "
            + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " at " + podIp + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static ContainerStatus containerStatus(Pod pod) {
    return pod.getStatus().getContainerStatuses().get(0);
  }

  static String condition(Pod pod, String type) {
    return pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
        : pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()))
            .map(c -> c.getStatus()).findFirst().orElse(null);
  }
}
