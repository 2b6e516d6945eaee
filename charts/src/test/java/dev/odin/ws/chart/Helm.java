package dev.odin.ws.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the real helm binary (scripts/install-helm.sh) against the chart, or a copy of it. */
final class Helm {

  static final Path REPO = Path.of(System.getProperty("odin.ws.repo", "..")).toAbsolutePath().normalize();
  static final Path CHART = REPO.resolve("charts/odin-ws-operator");
  static final String RELEASE = "odin";
  static final String NAMESPACE = "odin-system";

  record Result(int exitCode, String stdout, String stderr) {}

  private Helm() {}

  static Path binary() {
    String fromEnv = System.getenv("ODIN_WS_HELM");
    Path helm = fromEnv == null || fromEnv.isBlank() ? REPO.resolve(".tools/helm/helm") : Path.of(fromEnv);
    if (!Files.isExecutable(helm)) {
      fail("No helm binary at " + helm + ". Run scripts/install-helm.sh (or point ODIN_WS_HELM at helm v3).");
    }
    return helm;
  }

  static Result run(String... args) {
    List<String> command = new ArrayList<>(List.of(binary().toString()));
    command.addAll(List.of(args));
    Path home = REPO.resolve("charts/target/helm-home");
    try {
      Path err = Files.createTempFile("helm", ".err");
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
      // Keep helm's config and cache out of the user's home directory.
      builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
      builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
      builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
      Process process = builder.start();
      process.getOutputStream().close();
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("helm did not finish within 60 s: " + command);
      }
      String stderr = Files.readString(err);
      Files.delete(err);
      return new Result(process.exitValue(), stdout, stderr);
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }

  /** {@code helm template} of the chart at {@code chart} with extra arguments; fails the test unless it renders. */
  static Manifests template(Path chart, String... args) {
    Result result = run(templateArgs(chart, args));
    assertEquals(0, result.exitCode(), () -> "helm template failed:\n" + result.stderr());
    return Manifests.parse(result.stdout());
  }

  static Manifests template(String... args) {
    return template(CHART, args);
  }

  /**
   * A copy of the chart in {@code dir} whose files/dashboards and files/rules hold only the test fixtures
   * named (paths under src/test/resources/fixtures), so tests do not depend on what grafana/ ships.
   */
  static Path chartWithFiles(Path dir, String... fixtures) throws IOException {
    Path copy = dir.resolve(CHART.getFileName());
    try (Stream<Path> paths = Files.walk(CHART)) {
      for (Path source : paths.toList()) {
        Path target = copy.resolve(CHART.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else if (!source.startsWith(CHART.resolve("files"))) {
          Files.copy(source, target);
        }
      }
    }
    for (String fixture : fixtures) {
      Path target = copy.resolve("files").resolve(fixture);
      Files.createDirectories(target.getParent());
      Files.copy(REPO.resolve("charts/src/test/resources/fixtures").resolve(fixture), target);
    }
    return copy;
  }

  static String[] templateArgs(Path chart, String... args) {
    List<String> all = new ArrayList<>(List.of("template", RELEASE, chart.toString(), "--namespace", NAMESPACE));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }
}
