package dev.odin.ws.images;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `./odin-ws images` tells a user who got its options wrong: before any build starts, nothing written. */
class ImagesCommandTest {
  @TempDir Path out;

  @Test
  void withoutADestinationItSaysWhereImagesCanGo() throws Exception {
    assertRefused("odin-ws images: say where the images go: --registry REGISTRY (push) or --tar DIR");
  }

  @Test
  void anOptionWithoutItsValueIsNamed() throws Exception {
    assertRefused("odin-ws images: --tar needs a value", "--tar");
    assertRefused("odin-ws images: --registry needs a value", "--registry", "--tag", "1.0");
  }

  @Test
  void anInvalidTagIsRefusedBeforeTheBuild() throws Exception {
    assertRefused("odin-ws images: 'v1 beta' is not a valid image tag", "--tar", out.toString(), "--tag", "v1 beta");
    assertRefused("odin-ws images: '-x' is not a valid image tag", "--tar", out.toString(), "--tag", "-x");
  }

  @Test
  void anUnknownOptionIsNamed() throws Exception {
    assertRefused("odin-ws images: unknown option '--push'", "--push", "--tar", out.toString());
  }

  private void assertRefused(String firstLine, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(UnpackedImage.REPO.resolve("odin-ws").toString(), "images"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      // A refusal takes milliseconds: this one started a build.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new AssertionError("./odin-ws images " + String.join(" ", args) + " was not refused within 30 s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, process.exitValue(), output);
    assertEquals(List.of(firstLine, "run ./odin-ws images --help for the options"), output.lines().toList());
    try (var written = Files.list(out)) {
      assertEquals(0, written.count());
    }
  }
}
