package dev.odin.ws.testenv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A container's process: its exit codes as a container runtime reports them, its environment, its end with the JVM. */
class ContainerProcessTest {
  @TempDir
  Path dir;

  @Test
  void exitCodesAreTheProcesssOwnOr128PlusTheSignalThatEndedIt() {
    ContainerProcess exits = start("sh", "-c", "exit 3");
    assertTrue(exits.awaitExit(Duration.ofSeconds(30)));
    assertEquals(3, exits.exitCode().orElseThrow());

    ContainerProcess killed = start("sleep", "300");
    killed.kill();
    assertTrue(killed.awaitExit(Duration.ofSeconds(30)));
    assertEquals(137, killed.exitCode().orElseThrow());

    ContainerProcess terminated = start("sleep", "300");
    terminated.terminate();
    assertTrue(terminated.awaitExit(Duration.ofSeconds(30)));
    assertEquals(143, terminated.exitCode().orElseThrow());
  }

  @Test
  void theProcessSeesOnlyThePodsEnvironmentAndWritesToItsLog() throws Exception {
    ContainerProcess env = ContainerProcess.start(List.of("/usr/bin/env"), Map.of("ONLY", "this"), dir.resolve("w"),
        dir.resolve("app.log"));
    assertTrue(env.awaitExit(Duration.ofSeconds(30)));
    List<String> lines = Files.readAllLines(dir.resolve("app.log"));
    assertTrue(lines.get(0).startsWith("--- ") && lines.get(0).endsWith("$ /usr/bin/env"), lines.get(0));
    assertEquals(List.of("ONLY=this", "PWD=" + dir.resolve("w")), lines.subList(1, lines.size()).stream().sorted()
        .toList(), "nothing of the test JVM's environment, nothing the guard's shell adds but the working dir");
  }

  @Test
  void aContainersProcessDoesNotOutliveAKilledTestJvm() throws Exception {
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ContainerProcessHolder.class.getName(), dir.toString())
        .redirectErrorStream(true).start();
    long pid;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
        StandardCharsets.UTF_8))) {
      pid = Long.parseLong(out.readLine().strip());
    }
    ProcessHandle container = ProcessHandle.of(pid).orElseThrow();
    assertTrue(container.isAlive());

    holder.destroyForcibly(); // SIGKILL: no shutdown hook runs, nothing in the JVM stops the container

    await("the container's process gone with its JVM").atMost(Duration.ofSeconds(30))
        .until(() -> !container.isAlive());
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  private ContainerProcess start(String... command) {
    return ContainerProcess.start(List.of(command), Map.of("PATH", "/usr/bin:/bin"), dir.resolve("work"),
        dir.resolve("container.log"));
  }
}
