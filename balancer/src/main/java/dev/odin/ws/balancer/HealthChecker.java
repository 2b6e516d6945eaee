package dev.odin.ws.balancer;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every backend's {@code GET /readyz} at a fixed interval; 200 makes it eligible for new connections,
 * any other answer (503 while draining, full or catching up) takes it out at once, and so do a number of
 * checks in a row that get no answer at all (refused, reset, timed out). Timers and
 * probes run on the event loops and never block them: each probe is an asynchronous Netty request.
 */
final class HealthChecker {

  private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

  private final BackendPool pool;
  private final BalancerMetrics metrics;
  private final EventLoopGroup group;
  private final Duration interval;
  private final ReadyzProbe probe;
  private final int errorThreshold;
  private ScheduledFuture<?> task;

  HealthChecker(
      BackendPool pool,
      BalancerMetrics metrics,
      EventLoopGroup group,
      Class<? extends Channel> socketChannel,
      Duration interval,
      Duration timeout,
      int errorThreshold) {
    this.pool = pool;
    this.metrics = metrics;
    this.group = group;
    this.interval = interval;
    this.probe = new ReadyzProbe(group, socketChannel, timeout);
    this.errorThreshold = errorThreshold;
  }

  void start() {
    task =
        group
            .next()
            .scheduleWithFixedDelay(
                () -> pool.members().forEach(this::check),
                0,
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
  }

  /** Checks these backends now rather than at the next tick, so new backends become usable promptly. */
  void checkNow(List<BackendState> states) {
    if (!states.isEmpty()) {
      group.next().execute(() -> states.forEach(this::check));
    }
  }

  void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void check(BackendState state) {
    // A backend that has not answered the previous check is not asked again; the timeout ends that one.
    if (!state.startCheck()) {
      return;
    }
    Backend b = state.backend();
    probe
        .probe(b)
        .thenAccept(
            result -> {
              state.endCheck();
              if (!result.ready()) {
                metrics.healthCheckFailed(b.index());
              }
              boolean changed = state.checked(result.ready(), result.answered(), errorThreshold);
              if (changed && !state.removed()) {
                LOG.info(
                    "backend {} is now {} ({})",
                    b,
                    result.ready() ? "healthy" : "unhealthy",
                    result.detail());
              }
            });
  }
}
