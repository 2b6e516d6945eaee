package dev.odin.ws.loadtest;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** The counters and latency histogram of one event loop; only that loop writes them. */
public final class LoopStats {
  /** Latencies above an hour are clamped: such a run is broken anyway and says so in its max. */
  static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  final Tally tally = new Tally();
  final Histogram latencyMicros = new Histogram(HIGHEST_MICROS, 3);
  private byte[] scratch = new byte[256];

  /** The loop's scratch array for frame bytes, at least {@code size} long. */
  byte[] scratch(int size) {
    if (scratch.length < size) {
      scratch = new byte[Math.max(size, scratch.length * 2)];
    }
    return scratch;
  }

  void recordLatency(long micros) {
    if (micros < 0) {
      tally.negativeLatency++;
      micros = 0;
    }
    latencyMicros.recordValue(Math.min(micros, HIGHEST_MICROS));
  }
}
