package dev.odin.ws.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One run of a container: its command as a child process with exactly the pod's environment, its output appended to
 * the container's log. Like {@link ManagedProcess} it runs under a shell guard that ends it when this JVM's end of
 * the guard's stdin closes, so a test JVM that dies (surefire timeout, SIGKILL) leaves no pod process behind. Signals
 * go to the container's own process, as a container runtime sends them to PID 1; the guard reports its exit code as
 * the runtime would (128 + signal for a process ended by a signal: 137 for SIGKILL, 143 for SIGTERM).
 */
final class ContainerProcess {
  // fd 3 keeps the JVM's pipe for the watcher; the container gets neither it nor a terminal. After the container
  // ends the watcher goes too, or every restart would leave one behind. env -u drops what bash adds on its own.
  private static final String GUARD = """
      pidfile=$1; shift
      exec 3<&0
      "$@" </dev/null 3<&- &
      child=$!
      echo "$child" > "$pidfile.new" && mv "$pidfile.new" "$pidfile"
      ( while read -r _ <&3; do :; done; kill -TERM "$child" 2>/dev/null; sleep 5; kill -KILL "$child" 2>/dev/null ) &
      watcher=$!
      wait "$child"
      code=$?
      kill "$watcher" 2>/dev/null
      exit "$code"
      """;
  private static final Duration CHILD_APPEARS = Duration.ofSeconds(10);

  private final Process guard;
  private final Optional<ProcessHandle> container;
  private final Instant startedAt;

  private ContainerProcess(Process guard, Optional<ProcessHandle> container, Instant startedAt) {
    this.guard = guard;
    this.container = container;
    this.startedAt = startedAt;
  }

  /** Starts {@code command} in {@code workDir} with {@code env} as its whole environment. */
  static ContainerProcess start(List<String> command, Map<String, String> env, Path workDir, Path log) {
    Path pidFile = log.resolveSibling(log.getFileName() + ".pid");
    List<String> wrapped = new ArrayList<>(List.of("bash", "-c", GUARD, "container-guard", pidFile.toString(), "env"));
    for (String added : List.of("SHLVL", "_", "OLDPWD")) {
      if (!env.containsKey(added)) {
        wrapped.addAll(List.of("-u", added));
      }
    }
    wrapped.add("--");
    wrapped.addAll(command);
    Instant startedAt = Instant.now();
    try {
      Files.createDirectories(workDir);
      Files.deleteIfExists(pidFile);
      Files.writeString(log, "--- " + startedAt + " $ " + String.join(" ", command) + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      ProcessBuilder builder = new ProcessBuilder(wrapped).directory(workDir.toFile())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().clear();
      builder.environment().putAll(env);
      Process guard = builder.start();
      return new ContainerProcess(guard, awaitChild(guard, pidFile), startedAt);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  // The guard forks the container at once and names it in the pid file; until then there is nothing to signal. Empty
  // when the container has already ended.
  private static Optional<ProcessHandle> awaitChild(Process guard, Path pidFile) throws IOException {
    long deadline = System.nanoTime() + CHILD_APPEARS.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(pidFile)) {
        return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()));
      }
      if (!guard.isAlive()) {
        return Optional.empty();
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    guard.destroyForcibly();
    throw new IllegalStateException("the container guard started no process within " + CHILD_APPEARS);
  }

  /** The container's process, as a test can watch or signal it. */
  Optional<ProcessHandle> handle() {
    return container;
  }

  Instant startedAt() {
    return startedAt;
  }

  boolean isAlive() {
    return guard.isAlive();
  }

  /** The exit code once the process has ended. */
  Optional<Integer> exitCode() {
    return guard.isAlive() ? Optional.empty() : Optional.of(guard.exitValue());
  }

  /** SIGTERM to the container's process. */
  void terminate() {
    container.ifPresent(ProcessHandle::destroy);
  }

  /** SIGKILL to the container's process and anything it started, as killing its cgroup would. */
  void kill() {
    container.ifPresent(c -> {
      c.descendants().forEach(ProcessHandle::destroyForcibly);
      c.destroyForcibly();
    });
  }

  /** Waits up to {@code timeout} for the guard to report the exit. */
  boolean awaitExit(Duration timeout) {
    try {
      return guard.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
