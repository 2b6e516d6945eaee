package dev.odin.ws.images;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An image tarball that Jib wrote, unpacked layer by layer into a root filesystem by scripts/image-run.py, and the
 * process that script starts from it: the image's own entry point, user, environment and working directory, chrooted
 * into that filesystem, which is mounted read-only with a tmpfs on /tmp (docs/images.md).
 */
final class UnpackedImage {
  static final Path REPO = Path.of(System.getProperty("odin.repo.root", "..")).toAbsolutePath().normalize();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Path IMAGE_RUN = REPO.resolve("scripts/image-run.py");

  final Path dir;
  final Path rootfs;
  final JsonNode config;

  private UnpackedImage(Path dir) throws IOException {
    this.dir = dir;
    this.rootfs = dir.resolve("rootfs");
    this.config = new ObjectMapper().readTree(dir.resolve("config.json").toFile()).path("config");
  }

  /** Unpacks {@code module}'s target/jib-image.tar into a fresh target/images/NAME of this module. */
  static UnpackedImage unpack(String module, String name) throws Exception {
    Path tarball = REPO.resolve(module).resolve("target/jib-image.tar");
    if (!Files.isRegularFile(tarball)) {
      throw new IllegalStateException(tarball + " is missing: build with -Dodin.images.skip=false (./odin-ws test)");
    }
    Path dir = Path.of("target", "images", name).toAbsolutePath();
    if (Files.exists(dir)) {
      run(List.of("rm", "-rf", "--one-file-system", dir.toString()), dir.getParent().resolve(name + "-rm.log"));
    }
    Files.createDirectories(dir);
    run(List.of("python3", IMAGE_RUN.toString(), "unpack", tarball.toString(), dir.toString()),
        dir.resolve("unpack.log"));
    return new UnpackedImage(dir);
  }

  /** Starts the image's entry point, its Env plus {@code env}; output goes to {@code log} (in this image's dir). */
  Process start(Map<String, String> env, String log) throws IOException {
    List<String> command = new ArrayList<>(List.of("python3", IMAGE_RUN.toString(), "run", dir.toString()));
    env.forEach((name, value) -> command.addAll(List.of("-e", name + "=" + value)));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
  }

  String log(String log) {
    try {
      return Files.readString(dir.resolve(log));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  List<String> entrypoint() {
    List<String> args = new ArrayList<>();
    config.path("Entrypoint").forEach(arg -> args.add(arg.asText()));
    return args;
  }

  /** The HTTP status of GET http://127.0.0.1:PORT/PATH, or -1 while nothing answers. */
  static int httpStatus(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A line of /proc/PID/status, e.g. {@code Uid}. */
  static String procStatus(long pid, String field) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(line -> line.startsWith(field + ":")).findFirst().orElseThrow()
        .substring(field.length() + 1).trim();
  }

  /** The options of the mount the process sees as its root, e.g. {@code ro,relatime}. */
  static String rootMountOptions(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "mountinfo")).stream()
        .map(line -> line.split(" "))
        .filter(fields -> fields[4].equals("/"))
        .map(fields -> fields[5]).reduce((first, last) -> last).orElseThrow();
  }

  /** Stops the process as a kubelet would (SIGTERM) and returns its exit code, killing it after the grace period. */
  static int stop(Process process, long graceSeconds) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  private static void run(List<String> command, Path log) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in 5 minutes");
    }
    assertEquals(0, process.exitValue(), command + ": " + Files.readString(log, StandardCharsets.UTF_8));
  }
}
