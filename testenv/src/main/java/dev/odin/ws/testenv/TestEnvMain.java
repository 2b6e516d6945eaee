package dev.odin.ws.testenv;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code ./odin-ws testenv up}: the tests' control plane, started by hand to try kubectl and helm against it. */
public final class TestEnvMain {
  private TestEnvMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2 || !args[0].equals("up")) {
      System.err.println("usage: odin-ws testenv up   (starts etcd, kube-apiserver and kube-controller-manager;"
          + " Ctrl-C stops them)");
      System.exit(2);
    }
    Path workDir = Path.of(args[1]);
    KubeControlPlane plane = KubeControlPlane.start(workDir);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      plane.close();
      stopped.countDown();
    }, "stop-control-plane"));
    System.out.println();
    System.out.println("Kubernetes " + plane.adminClient().getKubernetesVersion().getGitVersion()
        + " is up at " + plane.serverUrl() + " (etcd, kube-apiserver, kube-controller-manager; no kubelet,"
        + " scheduler, kube-proxy or DNS: pods stay Pending). Logs: " + workDir.toAbsolutePath());
    System.out.println("In another shell:");
    System.out.println("  export KUBECONFIG=" + plane.adminKubeconfig());
    System.out.println("  export PATH=" + plane.binaries() + ":$PATH   # kubectl of the same release");
    System.out.println("Ctrl-C stops it and removes its data.");
    stopped.await();
  }
}
