package dev.odin.ws.testenv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Where the control plane's binaries and helm are: built or reused by the project's install scripts. */
public final class KubernetesBinaries {
  private static Path bin;

  private KubernetesBinaries() {}

  /** The repository root: {@code odin.ws.repo} (set by the build), else the first parent holding {@code odin-ws}. */
  public static Path repo() {
    String property = System.getProperty("odin.ws.repo");
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("odin-ws")) && Files.isRegularFile(dir.resolve("testenv/go.mod"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the odin-ws repository above " + Path.of("").toAbsolutePath()
        + "; set -Dodin.ws.repo");
  }

  /**
   * The bin directory of etcd, kube-apiserver, kube-controller-manager and kubectl. scripts/install-kubernetes.sh
   * builds them from testenv/go.mod on the first call on a machine (minutes) and answers at once afterwards.
   */
  public static synchronized Path locate() {
    if (bin == null) {
      Path script = repo().resolve("scripts/install-kubernetes.sh");
      CommandResult result = CommandResult.run(List.of("bash", script.toString()), Map.of(), null,
          Duration.ofMinutes(40));
      if (!result.succeeded()) {
        throw new IllegalStateException("cannot build the Kubernetes control plane:\n" + result);
      }
      String[] lines = result.stdout().strip().split("\n");
      bin = Path.of(lines[lines.length - 1]);
    }
    return bin;
  }

  /** The helm binary: {@code ODIN_WS_HELM}, else the one scripts/install-helm.sh puts under .tools/. */
  public static Path helm() {
    String fromEnv = System.getenv("ODIN_WS_HELM");
    Path helm = fromEnv == null || fromEnv.isBlank() ? repo().resolve(".tools/helm/helm") : Path.of(fromEnv);
    if (!Files.isExecutable(helm)) {
      throw new IllegalStateException("no helm binary at " + helm
          + ": run scripts/install-helm.sh (or point ODIN_WS_HELM at helm v3)");
    }
    return helm;
  }
}
