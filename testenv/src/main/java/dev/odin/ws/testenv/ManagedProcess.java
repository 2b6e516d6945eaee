package dev.odin.ws.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A component of the control plane run as a child process with its output in a log file. It is started under a
 * small shell guard that stops it when this JVM's end of its stdin closes, so a test JVM that is killed (a surefire
 * timeout, SIGKILL) leaves no etcd or API server behind holding ports and CPU.
 */
final class ManagedProcess implements AutoCloseable {
  // The guard keeps the JVM's pipe on fd 3; background jobs of a non-interactive shell would get /dev/null instead.
  private static final String GUARD = """
      exec 3<&0
      "$@" </dev/null &
      child=$!
      ( while read -r _ <&3; do :; done; kill -TERM "$child" 2>/dev/null; sleep 10; kill -KILL "$child" 2>/dev/null ) &
      wait "$child"
      """;

  private final String name;
  private final Process guard;
  private final Path log;

  private ManagedProcess(String name, Process guard, Path log) {
    this.name = name;
    this.guard = guard;
    this.log = log;
  }

  static ManagedProcess start(String name, Path log, List<String> command) {
    List<String> wrapped = new ArrayList<>(List.of("bash", "-c", GUARD, name));
    wrapped.addAll(command);
    try {
      Files.writeString(log, "$ " + String.join(" ", command) + "\n");
      Process process = new ProcessBuilder(wrapped)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      return new ManagedProcess(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return guard.isAlive();
  }

  /** The last lines of the log, for an error message. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** SIGTERM to the component, SIGKILL after {@code graceSeconds}; then the guard goes too. */
  @Override
  public void close() {
    close(10);
  }

  void close(int graceSeconds) {
    List<ProcessHandle> children = guard.descendants().toList();
    children.forEach(ProcessHandle::destroy);
    for (ProcessHandle child : children) {
      try {
        child.onExit().get(graceSeconds, TimeUnit.SECONDS);
      } catch (Exception e) {
        child.destroyForcibly();
      }
    }
    guard.destroyForcibly();
    try {
      guard.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL to the component, as a crash would end it. */
  void kill() {
    guard.descendants().forEach(ProcessHandle::destroyForcibly);
    guard.destroyForcibly();
  }
}
