package dev.odin.ws.testenv;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A JVM that starts a container process, prints its pid and waits to be killed: see {@link ContainerProcessTest}. */
public final class ContainerProcessHolder {
  private ContainerProcessHolder() {}

  public static void main(String[] args) throws InterruptedException {
    Path dir = Path.of(args[0]);
    ContainerProcess process = ContainerProcess.start(List.of("sleep", "300"), Map.of("PATH", "/usr/bin:/bin"),
        dir.resolve("holder"), dir.resolve("holder.log"));
    System.out.println(process.handle().orElseThrow().pid());
    System.out.flush();
    Thread.sleep(300_000);
  }
}
