package dev.odin.ws.local;

import dev.odin.ws.api.WsCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one shard process running, as the kubelet keeps a pod: a process that exits on its own is started
 * again after a back-off that doubles up to {@link #MAX_BACKOFF} and resets once a run lasted
 * {@link #STABLE_RUN}. Each start gets fresh ports, so a port taken meanwhile by someone else only costs a restart.
 */
final class ShardSupervisor {
  static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  static final Duration STABLE_RUN = Duration.ofSeconds(30);
  private static final String KAFKA_PROPERTIES_FILE = "shard-kafka.properties";

  /** Where a running shard listens; absent between a crash and its restart. */
  record Endpoint(long pid, int wsPort, int managementPort) {}

  private final int index;
  private final WsCluster cr;
  private final String bootstrapServers;
  private final LocalOptions options;
  private final Path logFile;
  private final Path kafkaProperties;
  private final ScheduledExecutorService scheduler;
  private final PrintStream out;
  private final Runnable onChange;
  private final Map<String, String> authEnv;
  private Process process;
  private Endpoint endpoint;
  private long startedAtNanos;
  private Duration backoff = MIN_BACKOFF;
  private boolean stopping;

  ShardSupervisor(int index, WsCluster cr, String bootstrapServers, LocalOptions options, Path runDir,
      ScheduledExecutorService scheduler, PrintStream out, Runnable onChange, Map<String, String> authEnv) {
    this.authEnv = authEnv;
    this.index = index;
    this.cr = cr;
    this.bootstrapServers = bootstrapServers;
    this.options = options;
    this.logFile = runDir.resolve("shard-" + index + ".log");
    this.kafkaProperties = runDir.resolve(KAFKA_PROPERTIES_FILE);
    this.scheduler = scheduler;
    this.out = out;
    this.onChange = onChange;
  }

  int index() {
    return index;
  }

  synchronized Optional<Endpoint> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  /** True once {@link #beginStop()} was called: the shard gets no new clients and is never restarted. */
  synchronized boolean stopping() {
    return stopping;
  }

  void start() {
    synchronized (this) {
      if (stopping) {
        return;
      }
      launch();
    }
    onChange.run();
  }

  private void launch() {
    int wsPort = FreePorts.pick();
    int managementPort = FreePorts.pick();
    ShardCommand command = ShardCommand.of(cr, index, bootstrapServers, wsPort, managementPort,
        options.shardJar(), options.watchdogJar(), kafkaProperties, authEnv);
    ProcessBuilder builder = new ProcessBuilder(command.command());
    // Nothing of the runner's own ODIN_WS_* environment may leak into a shard: the spec alone configures it.
    builder.environment().keySet().removeIf(k -> k.startsWith("ODIN_WS_"));
    builder.environment().putAll(command.env());
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    // stdin stays a pipe held by this JVM: the shard's ParentWatchdog ends the shard when it closes.
    try {
      Process started = builder.start();
      process = started;
      endpoint = new Endpoint(started.pid(), wsPort, managementPort);
      startedAtNanos = System.nanoTime();
      started.onExit().thenAccept(this::exited);
    } catch (IOException e) {
      out.println("odin-ws local: cannot start shard " + index + ": " + e.getMessage());
      scheduleRestart();
    }
  }

  private void exited(Process exitedProcess) {
    synchronized (this) {
      if (exitedProcess != process || stopping) {
        return;
      }
      process = null;
      endpoint = null;
      if (System.nanoTime() - startedAtNanos > STABLE_RUN.toNanos()) {
        backoff = MIN_BACKOFF;
      }
      out.println("odin-ws local: shard " + index + " (pid " + exitedProcess.pid() + ") exited with code "
          + exitedProcess.exitValue() + "; restarting in " + backoff.toSeconds() + " s (log: " + logFile + ")");
      scheduleRestart();
    }
    onChange.run();
  }

  private synchronized void scheduleRestart() {
    try {
      scheduler.schedule(this::start, backoff.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return; // the runner is shutting down
    }
    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  /** From now on the shard is on its way out: no restarts. Its process keeps running until {@link #terminate}. */
  synchronized void beginStop() {
    stopping = true;
  }

  /**
   * Starts a shard stopped with {@link #beginStop()} again, as a rollout replaces a pod; the caller then updates the
   * balancer. Unlike {@link #start()} it does not call back, so a caller holding the shard set's lock may use it.
   */
  synchronized void resume() {
    stopping = false;
    backoff = MIN_BACKOFF;
    launch();
  }

  /** SIGTERM: the shard closes its remaining clients with 1012 over its drain window, then exits. */
  synchronized void terminate() {
    stopping = true;
    if (process != null) {
      // Through the handle: Process.destroy() also closes the shard's stdin, so its watchdog would report the
      // runner gone during an ordinary stop.
      process.toHandle().destroy();
    }
  }

  /** Waits for the process to exit after {@link #terminate()}; one that outlives {@code grace} is killed. */
  void awaitExit(Duration grace) {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null) {
      return;
    }
    try {
      if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        out.println("odin-ws local: shard " + index + " did not stop in " + grace.toSeconds() + " s; killing it");
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      process = null;
      endpoint = null;
    }
  }

  /**
   * Prepares the directory the shards of one cluster share: their logs and the Kafka client settings
   * ({@link ShardCommand#KAFKA_PROPERTIES}).
   */
  static void prepare(Path runDir) {
    try {
      Files.createDirectories(runDir);
      Files.writeString(runDir.resolve(KAFKA_PROPERTIES_FILE), ShardCommand.KAFKA_PROPERTIES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + runDir, e);
    }
  }
}
