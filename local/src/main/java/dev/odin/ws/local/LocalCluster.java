package dev.odin.ws.local;

import dev.odin.ws.api.TopicSpec;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterYaml;
import dev.odin.ws.balancer.LeastConnectionsBalancer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A whole WsCluster on one machine: Kafka (embedded or the user's), one OS process per shard, the
 * least-connections balancer in front, and the WsCluster file watched for {@code spec.shards} edits.
 *
 * <p>Scaling runs on one control thread, one change at a time, like a reconcile loop; restarts, the status line
 * and the demo publisher run beside it, so a long drain never freezes them.
 */
public final class LocalCluster implements AutoCloseable, DemoPage.Cluster {
  static final Duration WATCH_INTERVAL = Duration.ofMillis(500);
  static final Duration STATUS_INTERVAL = Duration.ofSeconds(5);

  private final LocalOptions options;
  private final PrintStream out;
  private final WsCluster running;
  private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(daemon("control"));
  private final ScheduledExecutorService background = Executors.newScheduledThreadPool(2, daemon("background"));
  // Set once during start, read by callbacks and close() on other threads.
  private volatile KafkaEndpoint kafka;
  private volatile LeastConnectionsBalancer balancer;
  private volatile ShardSet shards;
  private volatile DemoPublisher demo;
  private volatile LocalState state;
  private volatile LocalScaler scaler;
  /** spec.shards as the file last said: only an edit of it scales (the autoscaler may have moved the count). */
  private int fileShards;
  private volatile DemoPage page;
  /** Shards whose drain from the demo page is queued or running: a second press waits for the first to end. */
  private final Set<Integer> restarting = ConcurrentHashMap.newKeySet();
  private final List<AutoCloseable> closeables = new java.util.concurrent.CopyOnWriteArrayList<>();
  private boolean closed;

  private LocalCluster(LocalOptions options, WsCluster cr, PrintStream out) {
    this.options = options;
    this.running = cr;
    this.out = out;
  }

  /** Reads {@code options.file()} (an invalid file throws, naming every problem) and starts everything. */
  public static LocalCluster start(LocalOptions options, PrintStream out) {
    String content = read(options.file());
    WsCluster cr = WsClusterYaml.parse(content, options.file().toString());
    LocalCluster cluster = new LocalCluster(options, cr, out);
    try {
      cluster.startAll(content);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    } catch (InterruptedException e) {
      cluster.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    }
  }

  private void startAll(String content) throws InterruptedException {
    String name = running.getMetadata().getName();
    Path runDir = LocalState.dir(options.stateDir(), name);
    out.println("odin-ws local: starting WsCluster \"" + name + "\" from " + options.file());
    if (WsClusterDefaults.secretRef(running).isPresent()) {
      out.println("odin-ws local: spec.kafka.secretRef is not supported locally (no Secret to mount); the shards "
          + "connect to Kafka without client properties");
    }
    kafka = KafkaEndpoint.open(running);
    balancer = LocalBalancer.start(name, options.port(), out);
    if (options.demo()) {
      // Before the shards: its origin goes into their Origin allow-list.
      page = startPage().orElse(null);
    }
    LocalAuth auth;
    try {
      auth = LocalAuth.prepare(running, options.file(), runDir,
          page == null ? OptionalInt.empty() : OptionalInt.of(page.port()));
    } catch (IllegalArgumentException e) {
      throw new dev.odin.ws.api.InvalidWsClusterException(options.file().toString(), List.of(e.getMessage()));
    }
    if (WsClusterDefaults.authMode(running) == dev.odin.ws.api.AuthSpec.Mode.None) {
      out.println("odin-ws local: AUTHENTICATION IS OFF (no spec.auth, or mode None): any client may subscribe to "
          + "any channel. Fine for a demo on this machine; see docs/security.md for spec.auth.");
    }
    shards = new ShardSet(running, kafka.bootstrapServers(), options, runDir, background, out, balancer::setBackends,
        auth);
    fileShards = WsClusterDefaults.shards(running);
    shards.scaleTo(fileShards);
    state = new LocalState(ProcessHandle.current().pid(), kafka.bootstrapServers(), balancer.port());
    state.write(LocalState.file(options.stateDir(), name));
    if (options.demo()) {
      demo = new DemoPublisher(kafka.bootstrapServers(), topics().get(0), options.demoRate(), background);
    }
    SpecWatcher watcher = new SpecWatcher(options.file(), content, out, this::apply);
    control.scheduleWithFixedDelay(watcher, WATCH_INTERVAL.toMillis(), WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    scaler = new LocalScaler(running, shards, this::shards, out);
    if (scaler.enabled()) {
      long every = LocalScaler.INTERVAL.toMillis();
      control.scheduleWithFixedDelay(scaler, every, every, TimeUnit.MILLISECONDS);
    }
    if (options.timeline().isPresent()) {
      Timeline timeline = Timeline.open(options.timeline().get(), this::shards, scaler::snapshot);
      background.scheduleAtFixedRate(timeline, 0, Timeline.INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      closeables.add(timeline);
    }
    StatusReporter status = new StatusReporter(this::shards, kafka, Set.copyOf(topics()), out);
    background.scheduleWithFixedDelay(status, 2, STATUS_INTERVAL.toSeconds(), TimeUnit.SECONDS);
    Banner.print(out, options, running, kafka, balancer, runDir, demo != null,
        page == null ? OptionalInt.empty() : OptionalInt.of(page.port()));
  }

  /** The demo page, when the JavaScript client it runs on is built; without it the demo only publishes. */
  private Optional<DemoPage> startPage() {
    if (options.demoRoot().isEmpty()) {
      return Optional.empty();
    }
    Path root = options.demoRoot().get();
    List<Path> missing = DemoPage.requiredFiles(root).stream().filter(f -> !Files.isRegularFile(f)).toList();
    if (!missing.isEmpty()) {
      out.println("odin-ws local: no demo page: " + missing + " missing (build the JavaScript client: cd " + root
          + " && npm ci && npm run build)");
      return Optional.empty();
    }
    boolean anyPort = options.port().isPresent() && options.port().getAsInt() == 0;
    try {
      return Optional.of(DemoPage.start(root, this, anyPort ? 0 : DemoPage.DEFAULT_PORT));
    } catch (IOException e) {
      if (anyPort) {
        throw new UncheckedIOException("cannot serve the demo page", e);
      }
      out.println("odin-ws local: port " + DemoPage.DEFAULT_PORT + " is taken (" + e.getMessage()
          + "); the demo page uses a free port instead");
      try {
        return Optional.of(DemoPage.start(root, this, 0));
      } catch (IOException again) {
        throw new UncheckedIOException("cannot serve the demo page", again);
      }
    }
  }

  /**
   * Drains shard {@code index} and starts it again (the demo page's button), queued behind any scaling in
   * progress. False when no such shard runs, or it is already draining or queued.
   */
  @Override
  public boolean drain(int index) {
    if (shards().stream().noneMatch(s -> s.index() == index && !s.stopping()) || !restarting.add(index)) {
      return false;
    }
    try {
      control.execute(() -> {
        try {
          shards.restart(index);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // close() stops every shard itself
        } finally {
          restarting.remove(index);
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      restarting.remove(index);
      return false; // stopping
    }
  }

  /**
   * A valid edit of the file: a changed {@code spec.shards} is applied (in autoscaling mode Auto, a manual change the
   * autoscaler then leaves alone for its window); any other change waits for a restart.
   */
  private void apply(WsCluster edited) {
    List<String> ignored = SpecChanges.needingRestart(running, edited);
    if (!ignored.isEmpty()) {
      out.println("odin-ws local: " + String.join(", ", ignored) + " changed; shards read their configuration at "
          + "start, so that takes effect when you restart ./odin-ws local (spec.shards is applied now)");
    }
    int edit = WsClusterDefaults.shards(edited);
    if (edit == fileShards) {
      return;
    }
    fileShards = edit;
    try {
      shards.scaleTo(edit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() interrupts a drain in progress and stops every shard itself
    }
  }

  /** What the autoscaler and rebalancer last decided (nothing when both are off). */
  LocalScaler.Snapshot scaling() {
    return scaler == null ? new LocalScaler.Snapshot(null, null) : scaler.snapshot();
  }

  /** Every shard, lowest index first, including ones being drained. */
  @Override
  public List<ShardView> shards() {
    return shards.views(balancer.status());
  }

  /** The public WebSocket port: clients connect to {@code ws://127.0.0.1:<port>/ws}. */
  public int port() {
    return balancer.port();
  }

  @Override
  public int webSocketPort() {
    return port();
  }

  @Override
  public String name() {
    return running.getMetadata().getName();
  }

  @Override
  public List<String> channels() {
    return DemoPublisher.CHANNELS;
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  private List<String> topics() {
    return WsClusterDefaults.topics(running).stream().map(TopicSpec::getName).toList();
  }

  /** Stops in order: the watcher and publisher, the shards (they drain), the balancer, Kafka. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    out.println("odin-ws local: stopping (shards close their clients with 1012 over "
        + WsClusterDefaults.drainSeconds(running) + " s)");
    if (page != null) {
      page.close();
    }
    control.shutdownNow();
    awaitQuietly(control);
    if (demo != null) {
      demo.close();
    }
    background.shutdownNow();
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        out.println("odin-ws local: " + e.getMessage());
      }
    }
    if (shards != null) {
      shards.stopAll();
    }
    if (balancer != null) {
      balancer.stop();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (state != null) {
      state.deleteIfOwned(LocalState.file(options.stateDir(), running.getMetadata().getName()));
    }
    out.println("odin-ws local: stopped");
  }

  private static void awaitQuietly(ScheduledExecutorService executor) {
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, "odin-ws-local-" + name);
      t.setDaemon(true);
      return t;
    };
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
