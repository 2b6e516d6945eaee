package dev.odin.ws.operator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The operator as a pod of its chart runs it, without a container runtime: {@link OperatorMain} in a JVM of its own,
 * with the environment of the chart's Deployment (field references resolved as the kubelet would, {@code HOSTNAME} =
 * the pod name) and a kubeconfig holding a TokenRequest token of the chart's ServiceAccount, so it has exactly the
 * rights the chart's RBAC grants. Only the HTTP port differs: processes here share one network.
 */
final class OperatorProcess implements AutoCloseable {
  private final String podName;
  private final Process process;
  private final Path log;
  private final int httpPort;

  private OperatorProcess(String podName, Process process, Path log, int httpPort) {
    this.podName = podName;
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  static OperatorProcess start(Deployment chartDeployment, String podName, Path kubeconfig, Path logDir) {
    String namespace = chartDeployment.getMetadata().getNamespace();
    Container container = chartDeployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, String> env = new HashMap<>();
    for (EnvVar var : container.getEnv()) {
      env.put(var.getName(), var.getValueFrom() == null ? Objects.requireNonNullElse(var.getValue(), "")
          : switch (var.getValueFrom().getFieldRef().getFieldPath()) {
            case "metadata.namespace" -> namespace;
            case "metadata.name" -> podName;
            default -> throw new IllegalArgumentException("field reference the test does not resolve: " + var);
          });
    }
    int httpPort = freePort();
    env.put(OperatorConfig.HTTP_PORT, Integer.toString(httpPort));
    env.put("HOSTNAME", podName);
    env.put("KUBECONFIG", kubeconfig.toString());
    Path log = logDir.resolve(podName + ".log");
    try {
      Files.createDirectories(logDir);
      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-Dorg.slf4j.simpleLogger.log.io.fabric8=warn",
          "-cp", System.getProperty("java.class.path"), OperatorMain.class.getName())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      return new OperatorProcess(podName, builder.start(), log, httpPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String podName() {
    return podName;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The operator's /metrics, or "" while it does not answer. */
  String metrics() {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Reconciliations this process has finished, from JOSDK's metrics. */
  long reconciliations() {
    return metrics().lines()
        .filter(l -> l.startsWith("operator_sdk_reconciliations_success_total{"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** SIGKILL, as when its node dies: no lease release, no shutdown hook. */
  void kill() {
    process.destroyForcibly();
    waitFor(10);
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    if (!waitFor(20)) {
      process.destroyForcibly();
      waitFor(10);
    }
  }

  private boolean waitFor(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
