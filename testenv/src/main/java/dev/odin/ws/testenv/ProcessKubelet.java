package dev.odin.ws.testenv;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet for tests that runs pods as local processes on the tests' control plane. It registers a Node and keeps
 * it Ready through its Lease, binds the pending pods of the namespaces it serves to that Node (there is no
 * scheduler), and runs each container through the {@link ContainerRuntime} the test mapped to the container's image
 * repository: each pod on its own local address (127.0.0.N, or a {@link PodNetwork} routed on lo), its env, volumes
 * and ServiceAccount token resolved from the API, its probes run as written, its status written as a kubelet writes it. Containers whose image is not
 * mapped (Envoy, say) are reported Running and Ready without a process, and the log says so. On deletion it sends
 * SIGTERM, SIGKILL after the grace period, and removes the pod object.
 *
 * <p>It talks to the API server with the control plane's admin client, not with a Node identity: the Node
 * authorizer and NodeRestriction are therefore not exercised. What it fakes (no images, no isolation, no cgroups,
 * no pod network, volumes by path rewriting) is written in docs/testenv.md.
 */
public final class ProcessKubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessKubelet.class);
  private static final AtomicInteger NODES = new AtomicInteger();
  private static final long RESYNC_MILLIS = 10_000;

  private final KubernetesClient client;
  private final String nodeName;
  private final PodWorkerContext context;
  private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<SharedIndexInformer<Pod>> informers = new ArrayList<>();
  private final ScheduledExecutorService timer;
  private final ExecutorService probes;
  private final ExecutorService binder;
  private final NodeHeartbeat heartbeat;

  private ProcessKubelet(Builder builder) {
    this.client = builder.plane.adminClient();
    this.nodeName = builder.nodeName != null ? builder.nodeName : "process-kubelet-" + NODES.incrementAndGet();
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("kubelet-heartbeat"));
    this.probes = Executors.newFixedThreadPool(8, daemon("kubelet-probe"));
    this.binder = Executors.newSingleThreadExecutor(daemon("kubelet-binder"));
    Map<String, Quantity> capacity = capacity();
    URI api = URI.create(builder.plane.serverUrl());
    this.context = new PodWorkerContext(client, builder.network, Map.copyOf(builder.runtimes),
        builder.plane.workDir().resolve("kubelet-" + nodeName).resolve("pods"), new PodVolumes(client, capacity),
        new PodEnvironment(new KeyValueSources(client), capacity, api.getHost(), api.getPort()), probes,
        builder.closeGrace);
    this.heartbeat = NodeHeartbeat.register(client, nodeName, capacity, timer);
    ResourceEventHandler<Pod> handler = new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        observe(pod);
      }

      @Override
      public void onUpdate(Pod before, Pod pod) {
        observe(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        Optional.ofNullable(workers.get(pod.getMetadata().getUid())).ifPresent(PodWorker::removed);
      }
    };
    if (builder.namespaces.isEmpty()) {
      informers.add(client.pods().inAnyNamespace().inform(handler, RESYNC_MILLIS));
    } else {
      builder.namespaces.forEach(ns -> informers.add(client.pods().inNamespace(ns).inform(handler, RESYNC_MILLIS)));
    }
    LOG.info("process kubelet {} serves {}; pod network {}; runtimes for {}", nodeName,
        builder.namespaces.isEmpty() ? "all namespaces" : builder.namespaces, builder.network,
        builder.runtimes.keySet());
  }

  /** A kubelet for {@code plane}; name the namespaces it serves (or all) and the runtimes, then {@code start()}. */
  public static Builder builder(KubeControlPlane plane) {
    return new Builder(plane);
  }

  public String nodeName() {
    return nodeName;
  }

  /** The address of the running pod {@code namespace/name}; empty until it has one, or once it is gone. */
  public Optional<String> podIp(String namespace, String name) {
    return worker(namespace, name).flatMap(PodWorker::podIp);
  }

  /** The process of a container of a running pod, e.g. to SIGKILL it as a crash would; empty without one. */
  public Optional<ProcessHandle> process(String namespace, String pod, String container) {
    return worker(namespace, pod).flatMap(w -> w.process(container));
  }

  /** The log file of a container (every run of it appended, each after a line naming its command). */
  public Path containerLog(String namespace, String pod, String container) {
    return worker(namespace, pod).map(w -> w.log(container)).orElseThrow(() -> new IllegalArgumentException(
        "pod " + namespace + "/" + pod + " has never run on node " + nodeName));
  }

  /** Waits until the pod {@code namespace/name} is Ready, as the API server reports it; returns it. */
  public Pod awaitReady(String namespace, String name, Duration timeout) {
    return await("pod " + namespace + "/" + name + " Ready").atMost(timeout).pollInterval(Duration.ofMillis(200))
        .until(() -> client.pods().inNamespace(namespace).withName(name).get(),
            pod -> pod != null && KubeletStandIn.ready(pod));
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    workers.values().forEach(PodWorker::close);
    long deadline = System.nanoTime() + context.closeGrace().plusSeconds(20).toNanos();
    List<Thread> started;
    synchronized (this) {
      started = List.copyOf(threads);
    }
    for (Thread thread : started) {
      try {
        thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    heartbeat.close();
    timer.shutdownNow();
    probes.shutdownNow();
    binder.shutdownNow();
    LOG.info("process kubelet {} stopped", nodeName);
  }

  private void observe(Pod pod) {
    String boundTo = pod.getSpec().getNodeName();
    if (boundTo == null || boundTo.isEmpty()) {
      String scheduler = pod.getSpec().getSchedulerName();
      if (pod.getMetadata().getDeletionTimestamp() == null
          && (scheduler == null || "default-scheduler".equals(scheduler))) {
        binder.execute(() -> bind(pod));
      }
    } else if (nodeName.equals(boundTo)) {
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      PodWorker worker = workers.get(pod.getMetadata().getUid());
      if (worker == null && ("Succeeded".equals(phase) || "Failed".equals(phase))) {
        return; // finished before this kubelet started
      }
      workers.computeIfAbsent(pod.getMetadata().getUid(), uid -> startWorker(pod)).update(pod);
    }
  }

  private synchronized PodWorker startWorker(Pod pod) {
    PodWorker worker = new PodWorker(context, pod);
    Thread thread = new Thread(worker, "kubelet " + worker.key());
    thread.setDaemon(true);
    thread.start();
    threads.add(thread);
    return worker;
  }

  // As the scheduler binds: the pods/binding subresource, with the pod's UID as precondition.
  private void bind(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Binding binding = new BindingBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .withUid(pod.getMetadata().getUid()).endMetadata()
        .withNewTarget().withApiVersion("v1").withKind("Node").withName(nodeName).endTarget().build();
    try {
      client.raw("/api/v1/namespaces/" + ns + "/pods/" + name + "/binding", "POST", binding);
      LOG.info("{}/{} bound to {}", ns, name, nodeName);
    } catch (KubernetesClientException e) {
      // Already bound (by this kubelet on an earlier event, or another one) or gone: nothing to do.
      LOG.debug("{}/{} not bound: {}", ns, name, e.getMessage());
    }
  }

  private Optional<PodWorker> worker(String namespace, String name) {
    String key = namespace + "/" + name;
    // The newest worker for that name: the pod running now, or else the last one that ran (for its log).
    return workers.values().stream().filter(w -> w.key().equals(key))
        .max(java.util.Comparator.comparingLong(w -> w.sequence));
  }

  private static Map<String, Quantity> capacity() {
    long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity(String.valueOf(Runtime.getRuntime().availableProcessors())));
    capacity.put("memory", new Quantity(String.valueOf(memory)));
    capacity.put("pods", new Quantity("110"));
    return Map.copyOf(capacity);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(r, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** How a test sets up a {@link ProcessKubelet}. */
  public static final class Builder {
    private final KubeControlPlane plane;
    private final List<String> namespaces = new ArrayList<>();
    private final Map<String, ContainerRuntime> runtimes = new LinkedHashMap<>();
    private String nodeName;
    private boolean allNamespaces;
    private Duration closeGrace = Duration.ofSeconds(5);
    private PodNetwork network = PodNetwork.loopback();

    private Builder(KubeControlPlane plane) {
      this.plane = plane;
    }

    /** The namespaces whose pending pods this kubelet binds to its Node. */
    public Builder namespaces(String... names) {
      namespaces.addAll(List.of(names));
      return this;
    }

    /** Bind pending pods of every namespace. */
    public Builder allNamespaces() {
      allNamespaces = true;
      return this;
    }

    /** Runs containers whose image is {@code repository} (any tag or digest) with {@code runtime}. */
    public Builder runtime(String repository, ContainerRuntime runtime) {
      runtimes.put(repository, runtime);
      return this;
    }

    /**
     * Where pod IPs come from: {@link PodNetwork#loopback()} (127.0.0.N) by default; {@link
     * PodNetwork#localRoute(String)} where Services must get EndpointSlices for the pods.
     */
    public Builder network(PodNetwork podNetwork) {
      network = podNetwork;
      return this;
    }

    /** The Node's name; by default {@code process-kubelet-N}. */
    public Builder nodeName(String name) {
      nodeName = name;
      return this;
    }

    /** How long {@link #close()} lets containers stop after SIGTERM before SIGKILL; 5 s by default. */
    public Builder closeGrace(Duration grace) {
      closeGrace = grace;
      return this;
    }

    public ProcessKubelet start() {
      if (namespaces.isEmpty() != allNamespaces) {
        throw new IllegalStateException("name the namespaces the kubelet serves, or call allNamespaces(): one of the two");
      }
      return new ProcessKubelet(this);
    }
  }
}
