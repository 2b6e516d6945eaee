package dev.odin.ws.shard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Headless Chromium (Debian's package, installed by scripts/install-test-tools.sh) running the page
 * {@code /browser/client.html} against a WebSocket port on 127.0.0.1. The page reports each step to this object's
 * HTTP server as a JSON event: subscribed, message, pong, close.
 */
public final class Browser implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  private final HttpServer pages;
  private final Path profile;
  private final Process chromium;

  private Browser(int wsPort) throws IOException {
    assertThat(CHROMIUM).as("chromium is installed by scripts/install-test-tools.sh (part of ./odin-ws test)").exists();
    byte[] page;
    try (InputStream in = Browser.class.getResourceAsStream("/browser/client.html")) {
      page = in.readAllBytes();
    }
    pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    pages.createContext("/client.html", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      exchange.getResponseBody().write(page);
      exchange.close();
    });
    pages.createContext("/event", exchange -> {
      events.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    pages.start();
    profile = Files.createTempDirectory("odin-ws-chromium");
    chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile,
        "http://127.0.0.1:" + pages.getAddress().getPort() + "/client.html?port=" + wsPort)
        .redirectErrorStream(true)
        .redirectOutput(profile.resolve("chromium.log").toFile())
        .start();
  }

  /** Opens the page, whose WebSocket connects to {@code ws://127.0.0.1:<wsPort>/ws}. */
  public static Browser open(int wsPort) {
    try {
      return new Browser(wsPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next event the page reported, which must be of {@code type}. */
  public JsonNode next(String type, Duration within) throws InterruptedException {
    JsonNode event = events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(event).as("the page reported '" + type + "' within " + within).isNotNull();
    assertThat(event.path("event").asText()).as(event.toString()).isEqualTo(type);
    return event;
  }

  /** Kills Chromium and every process it started (renderers, zygotes), waits for them, then removes the profile. */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> tree = new ArrayList<>(chromium.descendants().toList());
    tree.add(chromium.toHandle());
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : tree) {
      try {
        process.onExit().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // reported by the callers' own checks for leftover processes
      }
    }
    pages.stop(0);
    try (var paths = Files.walk(profile)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temp directory left behind is not a test failure
    }
  }
}
