package dev.odin.ws.loadtest;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator's epoll strategy: before each look at its sockets an event loop sleeps a short pause, so
 * that while messages keep arriving one epoll_wait returns every socket that became readable meanwhile
 * instead of one wake-up per message. On one machine this spares both ends a thread wake-up per message (a
 * write to a loopback socket wakes the thread waiting on it, and the writer pays for it). Latencies are read up
 * to one pause late, never early. When nothing is ready the loop blocks as usual; queued tasks are not delayed.
 */
final class BatchedReads implements SelectStrategy {
  private final long pauseNanos;

  BatchedReads(long pauseMicros) {
    this.pauseNanos = TimeUnit.MICROSECONDS.toNanos(pauseMicros);
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    if (hasTasks) {
      return selectNow.get();
    }
    LockSupport.parkNanos(pauseNanos);
    int ready = selectNow.get();
    return ready > 0 ? ready : SelectStrategy.SELECT;
  }
}
