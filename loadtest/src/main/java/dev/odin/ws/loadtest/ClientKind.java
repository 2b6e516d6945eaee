package dev.odin.ws.loadtest;

import java.util.Locale;

/**
 * How the generated clients read ({@code --client}): {@code batched}, the generator's own economy, or
 * {@code per-message}, as a browser or most client libraries do. Latency depends on it, so every summary says which.
 */
enum ClientKind {
  /**
   * Each event loop sleeps {@code --read-pause-us} (500 µs) before it looks at its sockets, so one wake-up reads every
   * socket that became readable meanwhile: cheaper for both ends on one machine, latencies read up to a pause late.
   */
  BATCHED,
  /**
   * No pause: the loop waits in epoll_wait and reads a socket as soon as it becomes readable, one read per readiness
   * event (Netty's read stops at the first read that does not fill its buffer), so each message wakes its client.
   */
  PER_MESSAGE;

  static final String FLAG = "client";

  /** {@code --client}, {@code batched} unless given. */
  static ClientKind of(Args args) {
    String name = args.string(FLAG, "batched");
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "batched" -> BATCHED;
      case "per-message" -> PER_MESSAGE;
      default -> throw new IllegalArgumentException("--client=" + name + ": expected batched or per-message");
    };
  }

  /** The pause before each look at the sockets; 0 means none (a per-message client, however it was asked for). */
  int readPauseMicros(Args args) {
    if (this == BATCHED) {
      return args.integer("read-pause-us", Worker.DEFAULT_READ_PAUSE_MICROS);
    }
    if (args.integer("read-pause-us", 0) != 0) {
      throw new IllegalArgumentException("--client=per-message reads without a pause; drop --read-pause-us");
    }
    return 0;
  }

  /** The flag's value, as the summary reports it. */
  String flagValue() {
    return this == BATCHED ? "batched" : "per-message";
  }
}
