package dev.odin.ws.testenv;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How to start a container as a local process: the command line, and environment on top of what the pod spec gives
 * (these win over the spec's values, e.g. a bind address that must be the pod IP).
 */
public record ContainerLaunch(List<String> command, Map<String, String> extraEnv) {
  public ContainerLaunch {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("a container launch needs a command");
    }
    command = List.copyOf(command);
    extraEnv = Map.copyOf(extraEnv);
  }

  public static ContainerLaunch of(List<String> command) {
    return new ContainerLaunch(command, Map.of());
  }

  /** This launch with {@code env} added to its extra environment. */
  public ContainerLaunch withEnv(Map<String, String> env) {
    Map<String, String> merged = new HashMap<>(extraEnv);
    merged.putAll(env);
    return new ContainerLaunch(command, merged);
  }
}
