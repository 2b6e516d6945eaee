package dev.odin.ws.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Runs a load test: forks the worker processes, ramps them (optionally in steps, measuring the
 * server's memory at each), publishes at a fixed rate, prints progress every second on stderr and
 * one JSON summary on stdout.
 */
public final class Coordinator {
  static final Set<String> FLAGS = Set.of("url", "connections", "rate", "channels", "channels-per-connection",
      "workers", "per-worker", "worker-java-opts", "io-threads", "source-addresses", "steps", "ramp-timeout-s",
      "ready-urls", "ready-timeout-s", "publish-bootstrap", "publish-topic", "publish-rate", "publish-window",
      "publish-size", "publish-seconds", "publish-channels", "linger-ms", "hold-seconds", "drain-max-s", "server-pids",
      "measure-memory", "out", "connect-timeout-ms", "warmup-seconds", "resume", "read-pause-us", "publish-spread",
      "bearer-token", "plan", "plan-stop-at-loss", ClientKind.FLAG);
  /** No leak detection and no per-access buffer checks: the generator's hot path must stay cheaper than the server's. */
  static final String DEFAULT_WORKER_OPTS = "-Xmx1g -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled "
      + "-Dio.netty.buffer.checkAccessible=false -Dio.netty.buffer.checkBounds=false";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper LINE = new ObjectMapper();

  private final Args args;
  private final PrintStream log;
  private final int connections;
  private final List<String> channels;
  private final int channelsPerConnection;
  private final List<Long> serverPids;
  private final List<WorkerProcess> workers = new ArrayList<>();
  private volatile Publisher publisher;
  private final long startNanos = System.nanoTime();
  private final ClientKind clientKind;

  Coordinator(Args args, PrintStream log) {
    this.args = args;
    this.log = log;
    this.connections = args.integer("connections", 100);
    this.channels = args.list("channels", "bench");
    this.channelsPerConnection = Math.min(args.integer("channels-per-connection", channels.size()), channels.size());
    this.serverPids = args.list("server-pids", "").stream().map(Long::parseLong).toList();
    this.clientKind = ClientKind.of(args);
    // Fails here, before any worker is forked, when the flags contradict each other.
    clientKind.readPauseMicros(args);
  }

  /** Runs the test and returns the summary (also printed, and written to {@code --out}). */
  Map<String, Object> run() throws Exception {
    Map<String, Object> conditionsAtStart = Machine.conditions();
    FileLimit limit = FileLimit.read();
    int workerCount = workerCount();
    log.printf("loadtest: %d connections to %s over %d worker process(es), %s conn/s; channels %s (%d each); "
            + "open-file limit here %d (hard %d): each worker raises its soft limit to the hard one%n",
        connections, args.list("url", null), workerCount, args.string("rate", "2000"), channels,
        channelsPerConnection, limit.soft(), limit.hard());
    waitReady();
    List<Long> steps = args.list("steps", "").stream().map(Long::parseLong).toList();
    long firstTarget = steps.isEmpty() ? connections : steps.get(0);
    startWorkers(workerCount, firstTarget);
    Thread progress = EverySecond.start("progress", this::progressLine);

    List<Map<String, Object>> stepResults = new ArrayList<>();
    List<Long> targets = steps.isEmpty() ? List.of((long) connections) : steps;
    for (long target : targets) {
      setTarget(target);
      boolean settled = waitSettled(target);
      if (!settled) {
        log.printf("loadtest: ramp to %d did not settle within the timeout%n", target);
      }
      if (!steps.isEmpty() || args.flag("measure-memory")) {
        stepResults.add(measureStep(target));
      }
    }

    Map<String, Object> publishSummary = null;
    double cpuBefore = serverCpu();
    long writesBefore = serverWriteCalls();
    long bytesBefore = serverWrittenBytes();
    double clientCpuBefore = clientCpu();
    long windowStartMicros = Clock.nowMicros();
    long messagesBefore = total().messages;
    if (publishRate() > 0) {
      try (Publisher p = newPublisher()) {
        publisher = p;
        double warmup = args.decimal("warmup-seconds", 0);
        if (warmup > 0) {
          log.printf("loadtest: warm-up: publishing for %.0f s, then forgetting those deliveries%n", warmup);
          long base = total().messages;
          Publisher.Result w = publishFor(p, warmup);
          drain(base, expectedDeliveries(w.records(), publishChannels()));
          reset();
        }
        cpuBefore = serverCpu();
        writesBefore = serverWriteCalls();
        bytesBefore = serverWrittenBytes();
        clientCpuBefore = clientCpu();
        windowStartMicros = Clock.nowMicros();
        messagesBefore = total().messages;
        publishSummary = publish(p);
        drain(messagesBefore, (long) publishSummary.get("expectedDeliveries"));
      }
    }
    long hold = args.number("hold-seconds", 0);
    if (hold > 0) {
      log.printf("loadtest: holding for %d s%n", hold);
      Thread.sleep(TimeUnit.SECONDS.toMillis(hold));
    }
    double cpuAfter = serverCpu();
    long writesAfter = serverWriteCalls();
    long bytesAfter = serverWrittenBytes();
    double clientCpuSeconds = clientCpu() - clientCpuBefore;
    Map<String, Object> summary = collect(conditionsAtStart, stepResults, publishSummary,
        cpuAfter - cpuBefore, writesBefore < 0 || writesAfter < 0 ? -1 : writesAfter - writesBefore,
        windowStartMicros, messagesBefore);
    if (summary.get("server") instanceof Map<?, ?> server && bytesBefore >= 0 && bytesAfter >= 0) {
      long windowDeliveries = (long) summary.get("messages") - messagesBefore;
      @SuppressWarnings("unchecked")
      Map<String, Object> figures = (Map<String, Object>) server;
      // Bytes handed to write(2) per delivery: a data frame's size, as every delivery is one frame (pings, pongs and
      // the management port add a few bytes a second).
      figures.put("bytesWritten", bytesAfter - bytesBefore);
      figures.put("bytesWrittenPerDelivery", windowDeliveries > 0 ? round((double) (bytesAfter - bytesBefore) / windowDeliveries) : 0);
    }
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("cpuSeconds", round(clientCpuSeconds));
    long windowMessages = (long) summary.get("messages") - messagesBefore;
    client.put("deliveriesPerCpuSecond", clientCpuSeconds > 0 ? round(windowMessages / clientCpuSeconds) : 0);
    summary.put("client", client);
    progress.interrupt();
    String json = JSON.writeValueAsString(summary);
    System.out.println(json);
    System.out.flush();
    String out = args.string("out", null);
    if (out != null) {
      Files.writeString(Path.of(out), json + "\n");
    }
    return summary;
  }

  /** {@code --workers}, else as many as {@code --per-worker} connections each need. */
  int workerCount() {
    int perWorker = args.integer("per-worker", 19_000);
    return Math.max(1, args.integer("workers", (connections + perWorker - 1) / perWorker));
  }

  void waitReady() throws Exception {
    List<String> urls = args.list("ready-urls", "");
    if (urls.isEmpty()) {
      return;
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(args.integer("ready-timeout-s", 60));
    for (String url : urls) {
      while (true) {
        int status;
        try {
          status = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
          status = -1;
        }
        if (status == 200) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(url + " was not ready (last status " + status + ")");
        }
        Thread.sleep(200);
      }
    }
    log.printf("loadtest: %d server(s) ready%n", urls.size());
  }

  void startWorkers(int count, long firstTarget) throws IOException {
    double rate = args.decimal("rate", 2000);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String opts = args.string("worker-java-opts", DEFAULT_WORKER_OPTS);
    int base = connections / count;
    int[] sizes = new int[count];
    for (int i = 0; i < count; i++) {
      sizes[i] = base + (i < connections % count ? 1 : 0);
    }
    long[] initial = shares(firstTarget, sizes, connections);
    int first = 0;
    for (int i = 0; i < count; i++) {
      int n = sizes[i];
      List<String> cmd = new ArrayList<>(List.of("sh", "-c", "ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec \"$@\"",
          "sh", java));
      for (String o : opts.trim().split("\\s+")) {
        if (!o.isEmpty()) {
          cmd.add(o);
        }
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadTestMain.class.getName(), "worker",
          "--index=" + i, "--connections=" + n, "--first-index=" + first, "--rate=" + (rate / count),
          "--urls=" + args.required("url"), "--channels=" + String.join(",", channels),
          "--channels-per-connection=" + channelsPerConnection,
          "--initial-target=" + initial[i]));
      cmd.addAll(args.asFlags("source-addresses", "io-threads", "connect-timeout-ms", "resume", "read-pause-us",
          "bearer-token", ClientKind.FLAG));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      WorkerProcess w = new WorkerProcess(i, n, p);
      workers.add(w);
      w.startReading();
      first += n;
    }
  }

  /**
   * Each worker's part of {@code total}, in proportion to its connections ({@code sizes}, summing to {@code
   * connections}), summing to exactly {@code total} (at most {@code connections}): the first workers take one more
   * where the division leaves a remainder.
   */
  static long[] shares(long total, int[] sizes, long connections) {
    long[] out = new long[sizes.length];
    long left = Math.min(total, connections);
    long whole = left;
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.min(sizes[i], whole * sizes[i] / connections);
      left -= out[i];
    }
    for (int i = 0; i < out.length && left > 0; i++) {
      if (out[i] < sizes[i]) {
        out[i]++;
        left--;
      }
    }
    return out;
  }

  private long[] shares(long total) {
    return shares(total, workers.stream().mapToInt(w -> w.connections).toArray(), connections);
  }

  void setTarget(long target) throws IOException {
    long[] shares = shares(target);
    for (int i = 0; i < shares.length; i++) {
      workers.get(i).send("target " + shares[i]);
    }
  }

  boolean waitSettled(long target) throws InterruptedException {
    double rate = args.decimal("rate", 2000);
    long timeout = args.number("ramp-timeout-s", Math.max(60, (long) (3 * target / rate)));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
    long expected = java.util.Arrays.stream(shares(target)).sum();
    while (System.nanoTime() < deadline) {
      Tally t = total();
      long done = (channelsPerConnection > 0 ? t.subscribed : t.opened) + t.failed();
      if (t.attempted >= expected && done >= t.attempted) {
        log.printf("loadtest: ramp to %d settled: %d open, %d subscribed, %d failed%n", target, t.open,
            t.subscribed, t.failed());
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  private Map<String, Object> measureStep(long target) throws InterruptedException {
    Thread.sleep(2000);
    Tally t = total();
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("target", target);
    step.put("open", t.open);
    List<Map<String, Object>> servers = new ArrayList<>();
    for (long pid : serverPids) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("pid", pid);
      if (args.flag("measure-memory")) {
        // The RSS the process settles at: collected and trimmed, then the lowest of five readings 2 s apart, each
        // after a trim. Memory the JVM frees a little later (the JIT's arenas, every 5 s; buffer pools) would
        // otherwise count for whichever step it happened to be read at: ±10 MB, ±1 KB per connection at 10,000.
        s.put("heapAfterGcKb", Machine.heapAfterGcKb(pid));
        long settled = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
          Thread.sleep(2000);
          Machine.trimNativeHeap(pid);
          long rss = Machine.rssKb(pid);
          settled = rss < 0 ? settled : Math.min(settled, rss);
        }
        s.put("rssKb", settled == Long.MAX_VALUE ? -1 : settled);
      } else {
        s.put("rssKb", Machine.rssKb(pid));
      }
      servers.add(s);
    }
    step.put("servers", servers);
    step.put("loadAverage", Machine.loadAverage());
    log.printf("loadtest: step %d: %s%n", target, step);
    return step;
  }

  Publisher newPublisher() {
    return new Publisher(args.required("publish-bootstrap"), args.string("publish-topic", "bench"),
        publishChannels(), args.integer("publish-size", 100), publishRate(), args.integer("linger-ms", 0),
        args.flag("publish-spread"));
  }

  /** {@code --publish-rate}: records per second, infinite for {@code max} (closed-loop), 0 when not publishing. */
  double publishRate() {
    return "max".equals(args.string("publish-rate", "0")) ? Double.POSITIVE_INFINITY
        : args.decimal("publish-rate", 0);
  }

  private boolean closedLoop() {
    return Double.isInfinite(publishRate());
  }

  /**
   * Publishes for {@code seconds}: paced, or with {@code --publish-rate=max} as fast as the clients receive the
   * records, at most {@code --publish-window} records ahead of them (the workers report once a second, so the
   * window should hold more than a second of records).
   */
  private Publisher.Result publishFor(Publisher p, double seconds) {
    if (!closedLoop()) {
      return p.run(seconds);
    }
    List<String> pubChannels = publishChannels();
    double perRecord = Math.max(1, (double) expectedDeliveries(pubChannels.size(), pubChannels) / pubChannels.size());
    long base = total().messages;
    return p.runWindowed(seconds, publishWindow(), () -> (long) ((total().messages - base) / perRecord));
  }

  private long publishWindow() {
    long window = args.number("publish-window", 1000);
    if (window < 1) {
      throw new IllegalArgumentException("--publish-window=" + window + " must be at least 1 record");
    }
    return window;
  }

  private List<String> publishChannels() {
    return args.list("publish-channels", String.join(",", channels));
  }

  private Map<String, Object> publish(Publisher p) {
    double seconds = args.decimal("publish-seconds", 10);
    boolean closedLoop = closedLoop();
    log.printf("loadtest: publishing %s of %d bytes for %.0f s to %s%n",
        closedLoop ? "records as fast as they are delivered (at most " + publishWindow() + " ahead)"
            : args.string("publish-rate", "") + " records/s",
        args.integer("publish-size", 100), seconds, publishChannels());
    long errorsBefore = p.errors.get();
    Publisher.Result r = publishFor(p, seconds);
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("records", r.records());
    s.put("errors", r.errors() - errorsBefore);
    s.put("seconds", round(r.seconds()));
    s.put("rate", round(r.rate()));
    s.put("mode", closedLoop ? "closed-loop" : "paced");
    if (closedLoop) {
      s.put("window", publishWindow());
    }
    s.put("recordBytes", r.size());
    s.put("channels", publishChannels());
    s.put("spreadOverPartitions", args.flag("publish-spread"));
    s.put("warmupSeconds", args.decimal("warmup-seconds", 0));
    s.put("expectedDeliveries", expectedDeliveries(r.records(), publishChannels()));
    return s;
  }

  private void reset() throws Exception {
    for (WorkerProcess w : workers) {
      w.resetDone = new CountDownLatch(1);
      w.send("reset");
    }
    for (WorkerProcess w : workers) {
      if (!w.resetDone.await(120, TimeUnit.SECONDS)) {
        log.printf("loadtest: worker %d did not confirm the reset: its warm-up deliveries stay counted%n", w.index);
      }
    }
  }

  /** Records per channel times the subscribers of that channel, assuming every connection subscribed. */
  long expectedDeliveries(long records, List<String> pubChannels) {
    Map<String, Long> subscribers = new HashMap<>();
    for (int i = 0; i < connections; i++) {
      for (int j = 0; j < channelsPerConnection; j++) {
        subscribers.merge(channels.get((i + j) % channels.size()), 1L, Long::sum);
      }
    }
    long expected = 0;
    for (int c = 0; c < pubChannels.size(); c++) {
      long perChannel = records / pubChannels.size() + (c < records % pubChannels.size() ? 1 : 0);
      expected += perChannel * subscribers.getOrDefault(pubChannels.get(c), 0L);
    }
    return expected;
  }

  /**
   * Waits until {@code expected} more deliveries arrived, or none arrived for three seconds (a saturated
   * worker reports late, so one quiet second proves nothing), bounded by {@code --drain-max-s}.
   */
  void drain(long base, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(args.integer("drain-max-s", 15));
    long last = -1;
    int quiet = 0;
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      long now = total().messages;
      if (now - base >= expected) {
        return;
      }
      quiet = now == last ? quiet + 1 : 0;
      if (quiet >= 3) {
        return;
      }
      last = now;
    }
    log.println("loadtest: deliveries still arriving at the end of the drain window");
  }

  private double serverCpu() {
    double sum = 0;
    for (long pid : serverPids) {
      sum += Math.max(0, Machine.cpuSeconds(pid));
    }
    return sum;
  }

  /** Write system calls of the server processes so far, or -1 when one of them does not say. */
  private long serverWriteCalls() {
    return sumOverServers(Machine::writeCalls);
  }

  /** Bytes the server processes have written so far, or -1 when one of them does not say. */
  private long serverWrittenBytes() {
    return sumOverServers(Machine::writtenBytes);
  }

  private long sumOverServers(java.util.function.LongUnaryOperator counter) {
    long sum = 0;
    for (long pid : serverPids) {
      long value = counter.applyAsLong(pid);
      if (value < 0) {
        return -1;
      }
      sum += value;
    }
    return sum;
  }

  /**
   * What is held now, as the kernel counts it: connections open and lost so far, the RSS of the servers and of the
   * workers (read from /proc, nothing forced), and the kernel's socket figures ({@code /proc/net/sockstat}).
   */
  Map<String, Object> heldNow() {
    Tally t = total();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("open", t.open);
    out.put("subscribed", t.subscribed);
    out.put("failures", new java.util.TreeMap<>(t.failures));
    out.put("serverRssKb", sumOverServers(Machine::rssKb));
    long clientRss = 0;
    for (WorkerProcess w : workers) {
      clientRss += Math.max(0, Machine.rssKb(w.process.pid()));
    }
    out.put("clientRssKb", clientRss);
    out.put("sockstat", Machine.sockstat());
    out.put("memAvailableKb", Machine.memAvailableKb());
    out.put("loadAverage", Machine.loadAverage());
    return out;
  }

  /** CPU seconds of the worker processes (the shell execs java, so the pid is the JVM's). */
  private double clientCpu() {
    double sum = 0;
    for (WorkerProcess w : workers) {
      sum += Math.max(0, Machine.cpuSeconds(w.process.pid()));
    }
    return sum;
  }

  Map<String, Object> collect(Map<String, Object> conditionsAtStart, List<Map<String, Object>> steps,
      Map<String, Object> publishSummary, double serverCpuSeconds, long serverWriteCalls, long windowStartMicros,
      long messagesBefore)
      throws Exception {
    Tally tally = new Tally();
    Histogram latency = new Histogram(LoopStats.HIGHEST_MICROS, 3);
    List<Integer> partialWorkers = new ArrayList<>();
    for (WorkerProcess w : workers) {
      w.send("stop");
    }
    for (WorkerProcess w : workers) {
      JsonNode result = w.awaitResult();
      if (result == null) {
        // A saturated worker's loops may not answer its final snapshot: keep the counts of its last progress
        // line (no latencies) rather than none, and say so.
        tally.fail("worker_lost");
        Tally last = w.latest;
        if (last != null) {
          tally.add(last);
          partialWorkers.add(w.index);
        }
        w.process.destroyForcibly();
        continue;
      }
      tally.add(LINE.treeToValue(result.get("tally"), Tally.class));
      latency.add(Worker.decode(result.get("histogram").asText()));
      w.process.waitFor(10, TimeUnit.SECONDS);
      w.process.destroy();
    }
    Map<String, Object> s = new LinkedHashMap<>();
    Map<String, Object> conns = new LinkedHashMap<>();
    conns.put("target", connections);
    conns.put("attempted", tally.attempted);
    conns.put("opened", tally.opened);
    conns.put("subscribed", tally.subscribed);
    conns.put("openAtEnd", tally.open);
    conns.put("left", tally.left);
    conns.put("failed", tally.failed());
    s.put("connections", conns);
    s.put("failures", tally.failures);
    if (!partialWorkers.isEmpty()) {
      s.put("partial", "workers " + partialWorkers + " did not answer their final snapshot (saturated?): their "
          + "counts are from their last progress line and their latencies are missing");
    }
    s.put("messages", tally.messages);
    long windowMessages = tally.messages - messagesBefore;
    double windowSeconds = (tally.lastMessageMicros - windowStartMicros) / 1e6;
    s.put("deliveriesPerSecond", windowSeconds > 0 && windowMessages > 0 ? round(windowMessages / windowSeconds) : 0);
    Map<String, Object> lat = new LinkedHashMap<>();
    lat.put("count", latency.getTotalCount());
    lat.put("p50", ms(latency.getValueAtPercentile(50)));
    lat.put("p90", ms(latency.getValueAtPercentile(90)));
    lat.put("p99", ms(latency.getValueAtPercentile(99)));
    lat.put("p99_9", ms(latency.getValueAtPercentile(99.9)));
    lat.put("max", ms(latency.getMaxValue()));
    s.put("latencyMs", lat);
    s.put("gaps", tally.gaps);
    s.put("gapRecords", tally.gapRecords);
    s.put("outOfOrder", tally.outOfOrder);
    s.put("duplicates", tally.duplicates);
    s.put("unknownChannel", tally.unknownChannel);
    s.put("unparsed", tally.unparsed);
    s.put("errorReplies", tally.errorReplies);
    s.put("bytesReceived", tally.bytesReceived);
    if (publishSummary != null) {
      s.put("publisher", publishSummary);
    }
    if (!serverPids.isEmpty()) {
      Map<String, Object> server = new LinkedHashMap<>();
      server.put("pids", serverPids);
      server.put("cpuSeconds", round(serverCpuSeconds));
      server.put("deliveriesPerCpuSecond", serverCpuSeconds > 0 ? round(windowMessages / serverCpuSeconds) : 0);
      if (serverWriteCalls > 0) {
        // a shard writes each subscriber what it is owed in one call, so this shows how much each write carried
        // and what one cost
        server.put("writeCalls", serverWriteCalls);
        server.put("deliveriesPerWriteCall", round((double) windowMessages / serverWriteCalls));
        server.put("cpuMicrosPerWriteCall", round(serverCpuSeconds * 1e6 / serverWriteCalls));
      }
      List<Long> rss = new ArrayList<>();
      serverPids.forEach(pid -> rss.add(Machine.rssKb(pid)));
      server.put("rssKbAtEnd", rss);
      s.put("server", server);
    }
    if (!steps.isEmpty()) {
      s.put("steps", steps);
    }
    s.put("workers", workers.size());
    s.put("workerJavaOpts", args.string("worker-java-opts", DEFAULT_WORKER_OPTS));
    s.put("clientKind", clientKind.flagValue());
    s.put("readPauseMicros", clientKind.readPauseMicros(args));
    s.put("conditions", conditionsAtStart);
    s.put("loadAverageAtEnd", Machine.loadAverage());
    return s;
  }

  private static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  Tally total() {
    Tally t = new Tally();
    for (WorkerProcess w : workers) {
      Tally latest = w.latest;
      if (latest != null) {
        t.add(latest);
      }
    }
    return t;
  }

  private long lastMessages;

  void progressLine() {
    Tally t = total();
    Publisher p = publisher;
    long secs = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
    log.printf("[%4ds] conns %d/%d open, %d subscribed, %d failed %s | msgs %d (+%d/s) | gaps %d ooo %d dup %d"
            + "%s | load %s%n", secs, t.open, connections, t.subscribed, t.failed(),
        t.failures.isEmpty() ? "" : t.failures.toString(), t.messages, t.messages - lastMessages, t.gaps,
        t.outOfOrder, t.duplicates, p == null ? "" : " | published " + p.sent.get(), Machine.loadAverage());
    lastMessages = t.messages;
  }

  /** A forked worker: its stdin for commands, its stdout for progress and the result. */
  private final class WorkerProcess {
    final int index;
    final int connections;
    final Process process;
    final Writer stdin;
    final CountDownLatch done = new CountDownLatch(1);
    volatile Tally latest;
    volatile JsonNode result;
    volatile CountDownLatch resetDone = new CountDownLatch(1);

    WorkerProcess(int index, int connections, Process process) {
      this.index = index;
      this.connections = connections;
      this.process = process;
      this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    void startReading() {
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.startsWith(Worker.PROGRESS)) {
              latest = LINE.treeToValue(LINE.readTree(line.substring(Worker.PROGRESS.length())).get("tally"),
                  Tally.class);
            } else if (line.equals(Worker.RESET_DONE)) {
              resetDone.countDown();
            } else if (line.startsWith(Worker.RESULT)) {
              JsonNode node = LINE.readTree(line.substring(Worker.RESULT.length()));
              latest = LINE.treeToValue(node.get("tally"), Tally.class);
              result = node;
              done.countDown();
            } else {
              log.println("[worker " + index + "] " + line);
            }
          }
        } catch (IOException e) {
          log.println("[worker " + index + "] output lost: " + e);
        } finally {
          done.countDown();
        }
      }, "worker-" + index + "-reader");
      t.setDaemon(true);
      t.start();
    }

    void send(String command) throws IOException {
      try {
        stdin.write(command + "\n");
        stdin.flush();
      } catch (IOException e) {
        log.println("[worker " + index + "] cannot be told '" + command + "': " + e.getMessage());
      }
    }

    JsonNode awaitResult() throws InterruptedException {
      done.await(120, TimeUnit.SECONDS);
      return result;
    }
  }
}
