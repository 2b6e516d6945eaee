package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod on the kubelet's node, from binding to removal, on a thread of its own: gives it an address and its
 * volumes, runs its containers ({@link ContainerSupervisor}), writes its status, and when the pod is deleted stops
 * the containers within the grace period and removes the pod object with grace 0, as the kubelet does.
 */
final class PodWorker implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PodWorker.class);
  private static final Duration TICK = Duration.ofMillis(200);
  /** After SIGKILL a process is gone at once; this bounds the wait should it not be. */
  private static final Duration AFTER_KILL = Duration.ofSeconds(10);

  private static final AtomicLong CREATED = new AtomicLong();

  /** Which worker came later, of two for pods of the same name. */
  final long sequence = CREATED.incrementAndGet();
  private final PodWorkerContext context;
  private final String key;
  private final String label;
  private final Path podDir;
  private final List<ContainerSupervisor> containers;
  private final PodStatusWriter statusWriter;
  private final Instant startTime = Instant.now();
  private final Object wakeUp = new Object();
  private volatile Pod latest;
  private volatile boolean removed;
  private volatile boolean closing;
  private volatile boolean finished;
  private volatile String podIp;
  private volatile boolean addressReleased;
  private Map<String, Path> volumeDirs;
  private String setupError;

  PodWorker(PodWorkerContext context, Pod pod) {
    this.context = context;
    this.latest = pod;
    this.key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    this.label = pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "("
        + pod.getMetadata().getUid() + ")";
    this.podDir = context.podsDir().resolve(pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName()
        + "_" + pod.getMetadata().getUid());
    Duration killGrace = Duration.ofSeconds(Optional.ofNullable(pod.getSpec().getTerminationGracePeriodSeconds())
        .orElse(30L));
    this.containers = pod.getSpec().getContainers().stream().map(c -> new ContainerSupervisor(c, label,
        pod.getSpec().getRestartPolicy(), killGrace, context.probes(), this::poke)).toList();
    this.statusWriter = new PodStatusWriter(context.client());
  }

  /** The pod as the informer saw it last. */
  void update(Pod pod) {
    latest = pod;
    poke();
  }

  /** The pod object is gone from the API (deleted with grace 0 by someone): its processes are killed at once. */
  void removed() {
    removed = true;
    poke();
  }

  /** The kubelet closes: SIGTERM, SIGKILL after the kubelet's close grace; the pod object stays. */
  void close() {
    closing = true;
    poke();
  }

  boolean finished() {
    return finished;
  }

  String key() {
    return key;
  }

  /** The pod's address while it runs; empty before it has one and once the pod is gone. */
  Optional<String> podIp() {
    return addressReleased ? Optional.empty() : Optional.ofNullable(podIp);
  }

  Optional<ProcessHandle> process(String container) {
    return containers.stream().filter(c -> c.name().equals(container)).findFirst()
        .flatMap(ContainerSupervisor::process);
  }

  Path log(String container) {
    return podDir.resolve(container + ".log");
  }

  @Override
  public void run() {
    try {
      while (!removed && !closing && latest.getMetadata().getDeletionTimestamp() == null) {
        Instant now = Instant.now();
        Pod pod = latest;
        if (volumeDirs == null) {
          prepare(pod);
        }
        if (volumeDirs != null) {
          containers.forEach(c -> c.tick(now, podIp, container -> launch(pod, container)));
        }
        writeStatus(pod, false);
        pause();
      }
      stopContainers();
    } catch (RuntimeException e) {
      LOG.error("{}: pod worker failed; its processes are killed", key, e);
      containers.forEach(ContainerSupervisor::killNow);
    } finally {
      releaseAddress();
      KubeControlPlane.deleteRecursively(podDir.resolve("volumes"));
      finished = true;
    }
  }

  private void prepare(Pod pod) {
    try {
      if (!Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of()).isEmpty()) {
        throw new PodSetupException("the process kubelet does not run init containers");
      }
      if (podIp == null) {
        List<Integer> ports = pod.getSpec().getContainers().stream()
            .flatMap(c -> Optional.ofNullable(c.getPorts()).orElse(List.of()).stream())
            .map(ContainerPort::getContainerPort).filter(Objects::nonNull).toList();
        podIp = context.network().allocate(ports).orElseThrow(() -> new PodSetupException(
            "no address of " + context.network() + " is free with ports " + ports + " (a process listening on "
                + "all addresses, 0.0.0.0, takes a port on every one)"));
      }
      volumeDirs = context.volumes().materialise(pod, podIp, podDir.resolve("volumes"));
      setupError = null;
    } catch (PodSetupException e) {
      if (!e.getMessage().equals(setupError)) {
        LOG.warn("{}: {}", key, e.getMessage());
      }
      setupError = e.getMessage();
    }
  }

  private ContainerProcess launch(Pod pod, Container container) {
    Map<String, Path> mounts = PodVolumes.mounts(container, volumeDirs);
    Path workDir = podDir.resolve("containers").resolve(container.getName());
    Map<String, String> env = new LinkedHashMap<>(context.environment().resolve(pod, container, podIp, mounts));
    // An image brings its own HOME; the test user's would hand the process that user's ~/.kube/config.
    env.putIfAbsent("HOME", workDir.toString());
    String repository = PodWorkerContext.repository(container.getImage());
    ContainerRuntime runtime = context.runtimes().get(repository);
    if (runtime == null) {
      LOG.info("{}: no runtime is mapped for image {} (container {}): reported Running and Ready without a process",
          key, container.getImage(), container.getName());
      return null;
    }
    if (container.getLifecycle() != null) {
      LOG.warn("{}: container {} has lifecycle hooks; the process kubelet does not run them", key,
          container.getName());
    }
    List<String> args = PodEnvironment.args(container, env).stream()
        .map(arg -> PodEnvironment.rewritePaths(arg, mounts)).toList();
    ContainerLaunch launch = runtime.launch(new ContainerContext(pod, container, podIp, env, mounts, args,
        workDir));
    Map<String, String> fullEnv = new LinkedHashMap<>(env);
    fullEnv.putAll(launch.extraEnv());
    LOG.info("{}: starting container {} at {}; its command and output in {}", key, container.getName(), podIp,
        log(container.getName()));
    return ContainerProcess.start(launch.command(), fullEnv, workDir, log(container.getName()));
  }

  // Deleted (or the kubelet closes): SIGTERM to every container, SIGKILL once the grace period has run out; then the
  // final status and, for a deleted pod, its removal with grace 0.
  private void stopContainers() {
    Instant now = Instant.now();
    Duration graceNow = currentGrace();
    Instant deadline = now.plus(graceNow);
    containers.forEach(c -> c.terminate(now, deadline));
    while (!containers.stream().allMatch(ContainerSupervisor::done)
        && Instant.now().isBefore(deadline.plus(AFTER_KILL))) {
      Instant tick = Instant.now();
      Duration shorter = currentGrace();
      if (removed || shorter.compareTo(graceNow) < 0) {
        Instant earlier = removed ? tick : tick.plus(shorter);
        graceNow = shorter;
        containers.forEach(c -> c.terminate(tick, earlier));
      }
      containers.forEach(c -> c.tick(tick, podIp, container -> null));
      if (!removed && !closing) {
        writeStatus(latest, false);
      }
      pause();
    }
    releaseAddress(); // as a kubelet tears the pod's sandbox down before the pod object goes
    if (removed || closing) {
      return;
    }
    writeStatus(latest, true);
    try {
      context.client().pods().inNamespace(latest.getMetadata().getNamespace())
          .withName(latest.getMetadata().getName()).withGracePeriod(0).delete();
      LOG.info("{}: containers stopped, pod removed", key);
    } catch (KubernetesClientException e) {
      LOG.warn("{}: cannot remove the pod: {}", key, e.getMessage());
    }
  }

  private void releaseAddress() {
    if (podIp != null && !addressReleased) {
      addressReleased = true;
      context.network().release(podIp);
    }
  }

  // A second delete may shorten the grace period; the kubelet closing cuts it to its close grace.
  private Duration currentGrace() {
    Duration grace = grace(latest);
    return closing && context.closeGrace().compareTo(grace) < 0 ? context.closeGrace() : grace;
  }

  private static Duration grace(Pod pod) {
    Long seconds = Optional.ofNullable(pod.getMetadata().getDeletionGracePeriodSeconds())
        .orElse(Optional.ofNullable(pod.getSpec().getTerminationGracePeriodSeconds()).orElse(30L));
    return Duration.ofSeconds(seconds);
  }

  private void writeStatus(Pod pod, boolean terminal) {
    List<ContainerStatus> statuses = containers.stream().map(ContainerSupervisor::status).toList();
    if (setupError != null) {
      statuses.stream().filter(s -> s.getState().getWaiting() != null)
          .forEach(s -> s.getState().getWaiting().setMessage(setupError));
    }
    try {
      statusWriter.write(pod, statusWriter.build(pod, statuses, podIp, startTime, terminal));
    } catch (KubernetesClientException e) {
      LOG.warn("{}: status not written, the next tick retries: {}", key, e.getMessage());
    }
  }

  private void poke() {
    synchronized (wakeUp) {
      wakeUp.notifyAll();
    }
  }

  private void pause() {
    synchronized (wakeUp) {
      try {
        wakeUp.wait(TICK.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closing = true;
      }
    }
  }
}
