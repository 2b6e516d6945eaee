package dev.odin.ws.shard;

import dev.odin.ws.shard.ws.ClientSession;
import dev.odin.ws.shard.ws.CloseReason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes clients in paced slices over a window, so that a drain or shed does not make thousands of
 * clients reconnect in the same instant.
 */
public final class ConnectionCloser implements AutoCloseable {
  private static final long TICK_MILLIS = 100;

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "paced-close");
        t.setDaemon(true);
        return t;
      });

  /**
   * Closes up to {@code limit} of {@code clients} with the reason's close code, spread evenly over
   * {@code window}. The future completes once every chosen close has been requested.
   */
  public CompletableFuture<Integer> closePaced(
      Iterable<ClientSession> clients, int limit, Duration window, CloseReason reason, String text) {
    Deque<ClientSession> queue = new ArrayDeque<>();
    for (ClientSession session : clients) {
      if (queue.size() >= limit) {
        break;
      }
      queue.add(session);
    }
    int total = queue.size();
    CompletableFuture<Integer> done = new CompletableFuture<>();
    if (total == 0) {
      done.complete(0);
      return done;
    }
    long ticks = Math.max(1, window.toMillis() / TICK_MILLIS);
    int perTick = (int) Math.max(1, (total + ticks - 1) / ticks);
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    task[0] = timer.scheduleAtFixedRate(() -> {
      List<ClientSession> slice = new ArrayList<>(perTick);
      for (int i = 0; i < perTick && !queue.isEmpty(); i++) {
        slice.add(queue.poll());
      }
      for (ClientSession session : slice) {
        session.closeFromAnyThread(reason, text);
      }
      if (queue.isEmpty()) {
        done.complete(total);
        task[0].cancel(false);
      }
    }, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    return done;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
