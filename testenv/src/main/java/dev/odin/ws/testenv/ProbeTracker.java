package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Probe;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The state of one probe of one container run: when it is next due, and its result after successThreshold
 * successes or failureThreshold failures in a row, as the kubelet's probe worker keeps it. Results arrive from the
 * probe threads; the pod worker reads them.
 */
final class ProbeTracker {
  private final Probe probe;
  private final int successThreshold;
  private final int failureThreshold;
  private final Duration period;
  private Instant nextRun;
  private boolean inFlight;
  private int successes;
  private int failures;
  private boolean result;
  private String lastFailure = "";

  /** A tracker for a container run that started at {@code started}; {@code initial} is the result before any run. */
  ProbeTracker(Probe probe, Instant started, boolean initial) {
    this.probe = probe;
    this.successThreshold = Math.max(1, Optional.ofNullable(probe.getSuccessThreshold()).orElse(1));
    this.failureThreshold = Math.max(1, Optional.ofNullable(probe.getFailureThreshold()).orElse(3));
    this.period = Duration.ofSeconds(Math.max(1, Optional.ofNullable(probe.getPeriodSeconds()).orElse(10)));
    this.nextRun = started.plusSeconds(Optional.ofNullable(probe.getInitialDelaySeconds()).orElse(0));
    this.result = initial;
  }

  Probe probe() {
    return probe;
  }

  /** True, and the run counted as in flight, when a run is due at {@code now} and none is running. */
  synchronized boolean claimRun(Instant now) {
    if (inFlight || now.isBefore(nextRun)) {
      return false;
    }
    inFlight = true;
    return true;
  }

  /** Records a finished run; true when the probe's result changed. */
  synchronized boolean record(ProbeCheck.Outcome outcome, Instant finished) {
    inFlight = false;
    nextRun = finished.plus(period);
    boolean before = result;
    if (outcome.success()) {
      failures = 0;
      if (++successes >= successThreshold) {
        result = true;
      }
    } else {
      successes = 0;
      lastFailure = outcome.message();
      if (++failures >= failureThreshold) {
        result = false;
      }
    }
    return before != result;
  }

  synchronized boolean result() {
    return result;
  }

  /** Failed failureThreshold times in a row since its last success (a startup or liveness verdict). */
  synchronized boolean failed() {
    return !result && failures >= failureThreshold;
  }

  synchronized String lastFailure() {
    return lastFailure;
  }
}
