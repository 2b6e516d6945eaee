package dev.odin.ws.testenv;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the {@link ProcessKubelet} runs in place of an image: given the pod and container, the local command that
 * stands in for the image's entrypoint. A test maps image repositories to runtimes, e.g. the shard image to a JVM of
 * the shard fat jar.
 */
@FunctionalInterface
public interface ContainerRuntime {
  ContainerLaunch launch(ContainerContext context);

  /**
   * A JVM running {@code mainClass} from {@code classpath} with {@code jvmOptions}, then the container's command and
   * args as program arguments. Where the pod mounts a volume at {@code /tmp} (a read-only root filesystem needs one)
   * the JVM's temporary directory is that volume's directory.
   */
  static ContainerRuntime javaMain(String classpath, String mainClass, List<String> jvmOptions) {
    return context -> {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      Path tmp = context.mounts().get("/tmp");
      if (tmp != null) {
        command.add("-Djava.io.tmpdir=" + tmp);
      }
      command.addAll(List.of("-cp", classpath, mainClass));
      command.addAll(context.args());
      return ContainerLaunch.of(command);
    };
  }

  /** This runtime with environment computed from the container added on top, e.g. a bind address = the pod IP. */
  default ContainerRuntime withEnv(Function<ContainerContext, Map<String, String>> env) {
    return context -> launch(context).withEnv(env.apply(context));
  }
}
