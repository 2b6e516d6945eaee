package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a {@link ContainerRuntime} knows when it starts a container of a pod.
 *
 * @param pod the pod as the kubelet last saw it (bound to the kubelet's node)
 * @param container the container to start
 * @param podIp the pod's own address (127.0.0.N by default, see {@link PodNetwork}): bind to it
 * @param env the container's environment as the pod spec resolves it ({@code env}, {@code envFrom}, {@code HOSTNAME},
 *     the {@code kubernetes} Service), paths under a volume's mountPath already rewritten to the pod's directories
 * @param mounts each volumeMount's mountPath mapped to the directory that stands in for it
 * @param args the container's {@code command} followed by its {@code args}, {@code $(VAR)} expanded as the kubelet
 *     does and paths under a mountPath rewritten; empty when the pod leaves both to the image
 * @param workDir a directory of the container's own, its working directory
 */
public record ContainerContext(Pod pod, Container container, String podIp, Map<String, String> env,
    Map<String, Path> mounts, List<String> args, Path workDir) {
  public ContainerContext {
    env = Map.copyOf(env);
    mounts = Map.copyOf(mounts);
    args = List.copyOf(args);
  }

  /** The pod's namespace and name, {@code namespace/name}. */
  public String podKey() {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
