package dev.odin.ws.balancer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every backend's {@code GET /readyz} at a fixed interval; 200 makes it eligible for new connections,
 * anything else (503 while draining, full or catching up; an error; a timeout) takes it out. Runs on its own
 * threads with the JDK's asynchronous HTTP client, never on an event loop.
 */
final class HealthChecker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

  private final BackendPool pool;
  private final BalancerMetrics metrics;
  private final Duration interval;
  private final Duration timeout;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService httpExecutor;
  private final HttpClient client;

  HealthChecker(BackendPool pool, BalancerMetrics metrics, Duration interval, Duration timeout) {
    this.pool = pool;
    this.metrics = metrics;
    this.interval = interval;
    this.timeout = timeout;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("balancer-health"));
    this.httpExecutor = Executors.newFixedThreadPool(2, daemon("balancer-health-http"));
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            // Shards are addressed directly; a proxy from the environment must not sit in between.
            .proxy(HttpClient.Builder.NO_PROXY)
            .executor(httpExecutor)
            .build();
  }

  void start() {
    scheduler.scheduleWithFixedDelay(
        () -> pool.members().forEach(this::check), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Checks these backends now rather than at the next tick, so new backends become usable promptly. */
  void checkNow(List<BackendState> states) {
    if (!states.isEmpty() && !scheduler.isShutdown()) {
      scheduler.execute(() -> states.forEach(this::check));
    }
  }

  private void check(BackendState state) {
    // A backend that has not answered the previous check is not asked again; the timeout ends that one.
    if (!state.startCheck()) {
      return;
    }
    Backend b = state.backend();
    HttpRequest request =
        HttpRequest.newBuilder(readyzUri(b)).timeout(timeout).GET().build();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, error) -> {
              state.endCheck();
              boolean ok = error == null && response.statusCode() == 200;
              if (!ok) {
                metrics.healthCheckFailed(b.index());
              }
              if (state.healthy(ok) && !state.removed()) {
                LOG.info(
                    "backend {} is now {} ({})",
                    b,
                    ok ? "healthy" : "unhealthy",
                    error != null
                        ? error.toString()
                        : response.statusCode() + " " + response.body().strip());
              }
            });
  }

  private static URI readyzUri(Backend b) {
    String host = b.host().contains(":") ? "[" + b.host() + "]" : b.host();
    return URI.create("http://" + host + ":" + b.managementPort() + "/readyz");
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    httpExecutor.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
