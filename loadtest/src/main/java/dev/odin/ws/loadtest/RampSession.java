package dev.odin.ws.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A load that changes over time, as an autoscaler sees it: the clients ramp up and down between targets while the
 * publisher sends at a fixed rate throughout, and every client closed by a server resumes with {@code since}
 * ({@code --resume=true}); the checks of order, gaps and duplicates span each client's connections. Driven step by
 * step from Java (a test waits for what it checks between steps) or by {@code --plan} from the command line.
 */
public final class RampSession implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final Coordinator coordinator;
  private final PrintStream log;
  private final Map<String, Object> conditionsAtStart = Machine.conditions();
  private final long startMicros = Clock.nowMicros();
  private final Thread progress;
  private volatile boolean stopPublishing;
  private CompletableFuture<Publisher.Result> publishing;
  private Publisher publisher;
  private boolean finished;

  private RampSession(Coordinator coordinator, PrintStream log) throws Exception {
    this.coordinator = coordinator;
    this.log = log;
    coordinator.waitReady();
    coordinator.startWorkers(coordinator.workerCount(), 0);
    progress = EverySecond.start("progress", coordinator::progressLine);
  }

  /**
   * Starts the worker processes with no connection open yet. The flags are {@code loadtest run}'s: {@code
   * --connections} is the most the session will ever ask for.
   */
  public static RampSession start(PrintStream log, String... flags) throws Exception {
    return new RampSession(new Coordinator(new Args(flags, Coordinator.FLAGS), log), log);
  }

  /**
   * Ramps to {@code connections} at {@code --rate} per second and waits until the ramp is done: every new connection
   * subscribed (or failed), or on the way down, every connection beyond the target closed by its client.
   */
  public boolean rampTo(long connections) throws Exception {
    long before = coordinator.total().open;
    coordinator.setTarget(connections);
    if (connections >= before) {
      return coordinator.waitSettled(connections);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (coordinator.total().open <= connections) {
        log.printf("loadtest: ramp down to %d settled: %d open%n", connections, coordinator.total().open);
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  /** Every worker's counts, as of their last report (once a second). */
  public Tally tally() {
    return coordinator.total();
  }

  /** Publishes at {@code --publish-rate} records per second until {@link #finish}. */
  public void startPublishing() {
    publisher = coordinator.newPublisher();
    publishing = CompletableFuture.supplyAsync(() -> publisher.runUntil(() -> stopPublishing));
  }

  /**
   * Stops the publisher, waits until the deliveries stop arriving, stops the workers and returns the summary
   * ({@code loadtest run}'s), with {@code left} (clients closed by a ramp-down) and the publisher's figures.
   */
  public Map<String, Object> finish() throws Exception {
    finished = true;
    Map<String, Object> published = null;
    if (publishing != null) {
      stopPublishing = true;
      Publisher.Result r = publishing.get(60, TimeUnit.SECONDS);
      publisher.close();
      published = new LinkedHashMap<>();
      published.put("records", r.records());
      published.put("errors", r.errors());
      published.put("seconds", Math.round(r.seconds() * 100) / 100.0);
      published.put("rate", Math.round(r.rate() * 100) / 100.0);
    }
    coordinator.drain(coordinator.total().messages, Long.MAX_VALUE);
    Map<String, Object> summary = coordinator.collect(conditionsAtStart, List.of(), published, 0, -1, startMicros, 0);
    progress.interrupt();
    return summary;
  }

  @Override
  public void close() throws Exception {
    if (!finished) {
      finish();
    }
  }

  /** Connections that failed or were closed between two {@link Coordinator#heldNow} readings. */
  @SuppressWarnings("unchecked")
  private static long lost(Map<String, Object> before, Map<String, Object> after) {
    long sumBefore = ((Map<String, Long>) before.get("failures")).values().stream().mapToLong(Long::longValue).sum();
    long sumAfter = ((Map<String, Long>) after.get("failures")).values().stream().mapToLong(Long::longValue).sum();
    return sumAfter - sumBefore;
  }

  /**
   * {@code loadtest run --plan=N:S,...}: ramps to N connections and holds S seconds, step after step, publishing
   * throughout when {@code --publish-rate} is set; prints the summary JSON with, for each step, when it began and
   * settled and what was held when it settled and at the end of its hold ({@link Coordinator#heldNow}). With
   * {@code --plan-stop-at-loss=true} the plan stops after a step that did not settle or lost a connection.
   */
  static Map<String, Object> runPlan(String[] argv, PrintStream log) throws Exception {
    Args args = new Args(argv, Coordinator.FLAGS);
    List<long[]> steps = new ArrayList<>();
    for (String step : args.list("plan", "")) {
      String[] parts = step.split(":");
      try {
        steps.add(new long[] {Long.parseLong(parts[0].trim()), parts.length > 1 ? Long.parseLong(parts[1].trim()) : 0});
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--plan: '" + step + "' is not CONNECTIONS:HOLD_SECONDS");
      }
      if (parts.length > 2) {
        throw new IllegalArgumentException("--plan: '" + step + "' is not CONNECTIONS:HOLD_SECONDS");
      }
    }
    List<Map<String, Object>> timeline = new ArrayList<>();
    Map<String, Object> summary;
    try (RampSession session = start(log, argv)) {
      if (session.coordinator.publishRate() > 0) {
        session.startPublishing();
      }
      boolean stopAtLoss = args.flag("plan-stop-at-loss");
      for (long[] step : steps) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("connections", step[0]);
        s.put("began", System.currentTimeMillis());
        boolean settled = session.rampTo(step[0]);
        s.put("settled", settled);
        s.put("settledAt", System.currentTimeMillis());
        Map<String, Object> atStart = session.coordinator.heldNow();
        s.put("atSettle", atStart);
        log.printf("loadtest: holding %d connections for %d s%n", step[0], step[1]);
        Thread.sleep(TimeUnit.SECONDS.toMillis(step[1]));
        Map<String, Object> atEnd = session.coordinator.heldNow();
        s.put("atEnd", atEnd);
        long lost = lost(atStart, atEnd);
        s.put("lostDuringHold", lost);
        s.put("held", settled && lost == 0 && ((Number) atEnd.get("open")).longValue() == step[0]);
        timeline.add(s);
        if (stopAtLoss && !Boolean.TRUE.equals(s.get("held"))) {
          log.printf("loadtest: %d connections not held (settled %s, %d lost during the hold): plan stopped%n",
              step[0], settled, lost);
          break;
        }
      }
      summary = session.finish();
    }
    summary.put("plan", timeline);
    String json = JSON.writeValueAsString(summary);
    System.out.println(json);
    String out = args.string("out", null);
    if (out != null) {
      Files.writeString(Path.of(out), json + "\n");
    }
    return summary;
  }
}
