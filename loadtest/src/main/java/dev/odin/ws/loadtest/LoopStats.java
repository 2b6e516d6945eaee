package dev.odin.ws.loadtest;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** The counters and latency histogram of one event loop; only that loop writes them. */
public final class LoopStats {
  /** Latencies above an hour are clamped: such a run is broken anyway and says so in its max. */
  static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  final Tally tally = new Tally();
  final Histogram latencyMicros = new Histogram(HIGHEST_MICROS, 3);

  void recordLatency(long micros) {
    if (micros < 0) {
      tally.negativeLatency++;
      micros = 0;
    }
    latencyMicros.recordValue(Math.min(micros, HIGHEST_MICROS));
  }
}
