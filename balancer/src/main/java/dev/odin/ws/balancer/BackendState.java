package dev.odin.ws.balancer;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The balancer's live view of one backend: the connections it holds open to it and its last health verdict.
 * Proxied connections keep a reference to this object, so they are counted against the right backend even
 * after it was removed or replaced.
 */
final class BackendState {

  private final Backend backend;
  private final AtomicInteger active = new AtomicInteger();
  // A new backend gets no traffic until its first /readyz answers 200.
  private volatile boolean healthy;
  private volatile boolean removed;
  private final AtomicBoolean checkInFlight = new AtomicBoolean();
  private final AtomicInteger consecutiveErrors = new AtomicInteger();

  BackendState(Backend backend) {
    this.backend = backend;
  }

  Backend backend() {
    return backend;
  }

  int activeConnections() {
    return active.get();
  }

  /** Only {@link BackendPool#pick} increments, under its lock, so that concurrent picks see each other. */
  void acquire() {
    active.incrementAndGet();
  }

  void release() {
    active.decrementAndGet();
  }

  boolean healthy() {
    return healthy;
  }

  /** Returns true when the verdict changed. */
  boolean healthy(boolean now) {
    boolean before = healthy;
    healthy = now;
    return before != now;
  }

  boolean removed() {
    return removed;
  }

  void markRemoved() {
    removed = true;
  }

  /**
   * Applies one health check result and returns true when the verdict changed. An answer decides at once
   * (200 ready, anything else not); unanswered checks count up and take the backend out only at the
   * threshold, so one check lost on a busy machine does not empty the pool.
   */
  boolean checked(boolean ready, boolean answered, int errorThreshold) {
    if (answered) {
      consecutiveErrors.set(0);
      return healthy(ready);
    }
    return consecutiveErrors.incrementAndGet() >= errorThreshold && healthy(false);
  }

  /** Claims the right to run the next health check; false while the previous one is still running. */
  boolean startCheck() {
    return checkInFlight.compareAndSet(false, true);
  }

  void endCheck() {
    checkInFlight.set(false);
  }

  BackendStatus status() {
    return new BackendStatus(backend, active.get(), healthy && !removed, removed);
  }
}
