package dev.odin.ws.loadtest;

/**
 * Wall-clock microseconds from the monotonic clock: one {@code currentTimeMillis} reading at start,
 * then {@code nanoTime} steps, so the receive time costs one cheap call and never jumps.
 */
public final class Clock {
  private static final long OFFSET_MICROS = System.currentTimeMillis() * 1000 - System.nanoTime() / 1000;

  private Clock() {}

  public static long nowMicros() {
    return System.nanoTime() / 1000 + OFFSET_MICROS;
  }
}
