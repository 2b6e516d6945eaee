package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container of a pod over its runs: starts it, runs its probes, kills it when its startup or liveness probe
 * fails, restarts it per the pod's restartPolicy after a short backoff (1 s doubling to 10 s; a run of 30 s or more
 * counts as healthy again), and stops it when the pod goes. Only the pod's worker thread calls it; probe results
 * arrive on the probe threads through {@link ProbeTracker}.
 */
final class ContainerSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerSupervisor.class);
  private static final Duration BACKOFF_FIRST = Duration.ofSeconds(1);
  private static final Duration BACKOFF_MAX = Duration.ofSeconds(10);
  private static final Duration HEALTHY_RUN = Duration.ofSeconds(30);
  private static final Duration SETUP_RETRY = Duration.ofSeconds(2);

  /** Starts one run of a container: its process, or null when the container runs without one. */
  interface Launcher {
    ContainerProcess launch(Container container);
  }

  private final Container spec;
  private final String podLabel;
  private final String restartPolicy;
  private final Duration killGrace;
  private final Executor probes;
  private final Runnable poke;

  private volatile ContainerProcess process;
  private Instant runStarted;
  private String podIp;
  private ProbeTracker startup;
  private ProbeTracker liveness;
  private ProbeTracker readiness;
  private Instant killAt;
  private String stopMessage;

  private boolean everStarted;
  private boolean terminating;
  private boolean finished;
  private int restartCount;
  private int crashes;
  private Instant restartAt;
  private ContainerStateTerminated last;
  private ContainerStateTerminated beforeLast;
  private String waitingReason = "ContainerCreating";
  private String waitingMessage;

  ContainerSupervisor(Container spec, String podLabel, String restartPolicy, Duration killGrace, Executor probes,
      Runnable poke) {
    this.spec = spec;
    this.podLabel = podLabel;
    this.restartPolicy = restartPolicy == null ? "Always" : restartPolicy;
    this.killGrace = killGrace;
    this.probes = probes;
    this.poke = poke;
  }

  String name() {
    return spec.getName();
  }

  Optional<ProcessHandle> process() {
    ContainerProcess current = process;
    return current == null ? Optional.empty() : current.handle();
  }

  /** One step: notice an exit, run due probes, act on their verdicts, SIGKILL when a grace period ran out, restart. */
  void tick(Instant now, String podIp, Launcher launcher) {
    this.podIp = podIp;
    if (running()) {
      ContainerProcess current = process;
      if (current != null && !current.isAlive()) {
        finishRun(now, current.exitCode().orElse(-1));
      } else if (current != null && killAt != null && !now.isBefore(killAt)) {
        current.kill();
      } else if (current != null) {
        runDueProbes(now);
        actOnVerdicts(now);
      }
    }
    if (!running() && !terminating && !finished && (restartAt == null || !now.isBefore(restartAt))) {
      start(now, launcher);
    }
  }

  /** The pod is going: SIGTERM now, SIGKILL at {@code deadline} (an earlier one wins); no more restarts. */
  void terminate(Instant now, Instant deadline) {
    terminating = true;
    if (process != null) {
      if (killAt == null || deadline.isBefore(killAt)) {
        if (killAt == null) {
          process.terminate();
        }
        killAt = deadline;
      }
    } else if (runStarted != null) {
      finishRun(now, 0);
    }
    finished = true;
  }

  /** SIGKILL now, whatever the grace period. */
  void killNow() {
    ContainerProcess current = process;
    if (current != null) {
      current.kill();
    }
  }

  boolean running() {
    return runStarted != null;
  }

  boolean started() {
    return running() && (startup == null || startup.result());
  }

  boolean ready() {
    return started() && (readiness == null || readiness.result());
  }

  /** Ended for good: terminated and not to be restarted. */
  boolean done() {
    return finished && !running();
  }

  /** The exit code of the last run, when there was one. */
  Optional<Integer> lastExitCode() {
    return Optional.ofNullable(last).map(ContainerStateTerminated::getExitCode);
  }

  private void start(Instant now, Launcher launcher) {
    ContainerProcess started;
    try {
      ProbeCheck.requireSupported(spec);
      started = launcher.launch(spec);
    } catch (PodSetupException e) {
      waitingReason = "CreateContainerConfigError";
      waitingMessage = e.getMessage();
      restartAt = now.plus(SETUP_RETRY);
      return;
    } catch (RuntimeException e) {
      LOG.warn("{}: cannot start container {}", podLabel, spec.getName(), e);
      waitingReason = "RunContainerError";
      waitingMessage = e.getMessage();
      restartAt = now.plus(SETUP_RETRY);
      return;
    }
    if (everStarted) {
      restartCount++;
    }
    everStarted = true;
    process = started;
    runStarted = started == null ? now : started.startedAt();
    waitingReason = null;
    waitingMessage = null;
    restartAt = null;
    killAt = null;
    stopMessage = null;
    if (started == null) {
      return; // nothing answers probes: a container without a process counts as started and ready
    }
    startup = spec.getStartupProbe() == null ? null : new ProbeTracker(spec.getStartupProbe(), runStarted, false);
    liveness = spec.getLivenessProbe() == null ? null : new ProbeTracker(spec.getLivenessProbe(), runStarted, true);
    readiness = spec.getReadinessProbe() == null ? null
        : new ProbeTracker(spec.getReadinessProbe(), runStarted, false);
  }

  private void runDueProbes(Instant now) {
    if (startup != null && !startup.result()) {
      if (!terminating) {
        launchProbe(startup, now);
      }
      return;
    }
    if (liveness != null && !terminating) {
      launchProbe(liveness, now);
    }
    if (readiness != null) {
      launchProbe(readiness, now);
    }
  }

  private void launchProbe(ProbeTracker tracker, Instant now) {
    if (tracker.claimRun(now)) {
      String ip = podIp;
      probes.execute(() -> {
        if (tracker.record(ProbeCheck.run(tracker.probe(), spec, ip), Instant.now())) {
          poke.run();
        }
      });
    }
  }

  private void actOnVerdicts(Instant now) {
    if (terminating || killAt != null) {
      return;
    }
    String failed = startup != null && startup.failed() ? "startup" : liveness != null && liveness.failed()
        ? "liveness" : null;
    if (failed != null) {
      ProbeTracker tracker = "startup".equals(failed) ? startup : liveness;
      stopMessage = "Container " + spec.getName() + " failed " + failed + " probe, will be restarted: "
          + tracker.lastFailure();
      LOG.info("{}: {}", podLabel, stopMessage);
      process.terminate();
      killAt = now.plus(killGrace);
    }
  }

  private void finishRun(Instant now, int exitCode) {
    ContainerProcess ended = process;
    beforeLast = last;
    last = new ContainerStateTerminatedBuilder().withExitCode(exitCode)
        .withReason(exitCode == 0 ? "Completed" : "Error").withMessage(stopMessage)
        .withStartedAt(PodStatusWriter.time(runStarted)).withFinishedAt(PodStatusWriter.time(now))
        .withContainerID(ended == null ? null : containerId(ended)).build();
    LOG.info("{}: container {} exited with code {}", podLabel, spec.getName(), exitCode);
    boolean healthyRun = Duration.between(runStarted, now).compareTo(HEALTHY_RUN) >= 0;
    process = null;
    runStarted = null;
    startup = liveness = readiness = null;
    killAt = null;
    boolean restart = "Always".equals(restartPolicy) || ("OnFailure".equals(restartPolicy) && exitCode != 0);
    if (terminating || !restart) {
      finished = true;
      return;
    }
    crashes = healthyRun ? 1 : crashes + 1;
    Duration backoff = BACKOFF_FIRST.multipliedBy(1L << Math.min(crashes - 1, 4));
    restartAt = now.plus(backoff.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : backoff);
    waitingReason = "CrashLoopBackOff";
    waitingMessage = "back-off " + Duration.between(now, restartAt).toSeconds() + "s restarting failed container="
        + spec.getName() + " pod=" + podLabel;
  }

  ContainerStatus status() {
    ContainerState state;
    ContainerState lastState = new ContainerState();
    ContainerProcess current = process;
    if (running()) {
      state = new ContainerStateBuilder().withNewRunning().withStartedAt(PodStatusWriter.time(runStarted))
          .endRunning().build();
      lastState = terminated(last);
    } else if (finished && last != null) {
      state = terminated(last);
      lastState = terminated(beforeLast);
    } else {
      state = new ContainerStateBuilder().withNewWaiting().withReason(waitingReason).withMessage(waitingMessage)
          .endWaiting().build();
      lastState = terminated(last);
    }
    return new ContainerStatusBuilder().withName(spec.getName()).withImage(spec.getImage()).withImageID("")
        .withContainerID(current != null ? containerId(current) : last != null ? last.getContainerID() : null)
        .withReady(ready()).withStarted(started()).withRestartCount(restartCount)
        .withState(state).withLastState(lastState).build();
  }

  private static ContainerState terminated(ContainerStateTerminated run) {
    return run == null ? new ContainerState() : new ContainerStateBuilder().withTerminated(run).build();
  }

  private static String containerId(ContainerProcess process) {
    return process.handle().map(h -> "process://" + h.pid()).orElse(null);
  }
}
