package dev.odin.ws.testenv;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;

/** What every pod worker of one kubelet shares. */
record PodWorkerContext(KubernetesClient client, PodNetwork network, Map<String, ContainerRuntime> runtimes,
    Path podsDir, PodVolumes volumes, PodEnvironment environment, Executor probes, Duration closeGrace) {

  /** The image's repository: its name without tag or digest, as the runtime mapping is keyed. */
  static String repository(String image) {
    String name = image;
    int at = name.indexOf('@');
    if (at >= 0) {
      name = name.substring(0, at);
    }
    int colon = name.lastIndexOf(':');
    return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
  }
}
