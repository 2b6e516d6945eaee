package dev.odin.ws.shard.ws;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Every established session, kept by its event loop. One sweep task per loop replaces a timer per
 * connection for pings and idle closes: an idle connection then costs no scheduled task and no extra
 * pipeline handler, only a slot in its loop's array.
 */
public final class ClientSessions {
  private static final long MIN_SWEEP_MILLIS = 100;
  private static final long MAX_SWEEP_MILLIS = 1_000;

  private final Map<EventExecutor, LoopSessions> loops = new LinkedHashMap<>();

  /** {@code loops}: every event loop that may own a client channel. */
  public ClientSessions(Iterable<? extends EventExecutor> loops) {
    for (EventExecutor loop : loops) {
      this.loops.put(loop, new LoopSessions());
    }
  }

  /**
   * Starts each loop's sweep, a 25th of the ping interval apart (within 100 ms and 1 s): pings and idle closes
   * are at most that late, and the pings of connections opened together spread over that many sweeps.
   */
  public void startSweeping(Duration pingInterval) {
    long period = Math.max(MIN_SWEEP_MILLIS, Math.min(MAX_SWEEP_MILLIS, pingInterval.toMillis() / 25));
    for (Map.Entry<EventExecutor, LoopSessions> loop : loops.entrySet()) {
      LoopSessions sessions = loop.getValue();
      loop.getKey().scheduleAtFixedRate(() -> sessions.sweep(System.nanoTime()), period, period, TimeUnit.MILLISECONDS);
    }
  }

  /** Called on the session's own event loop. */
  void add(EventExecutor loop, ClientSession session) {
    loops.get(loop).add(session);
  }

  /** Called on the session's own event loop. */
  void remove(EventExecutor loop, ClientSession session) {
    loops.get(loop).remove(session);
  }

  /** The sessions of every loop, each list taken on its own loop, interleaved so that a shed spreads over loops. */
  public CompletableFuture<List<ClientSession>> snapshot() {
    List<CompletableFuture<List<ClientSession>>> parts = new ArrayList<>();
    for (Map.Entry<EventExecutor, LoopSessions> loop : loops.entrySet()) {
      CompletableFuture<List<ClientSession>> part = new CompletableFuture<>();
      try {
        loop.getKey().execute(() -> part.complete(loop.getValue().snapshot()));
      } catch (RuntimeException rejected) {
        part.complete(List.of()); // the loop is shutting down; its channels are closing anyway
      }
      parts.add(part);
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<List<ClientSession>> lists = parts.stream().map(CompletableFuture::join).toList();
      List<ClientSession> interleaved = new ArrayList<>();
      int longest = lists.stream().mapToInt(List::size).max().orElse(0);
      for (int i = 0; i < longest; i++) {
        for (List<ClientSession> list : lists) {
          if (i < list.size()) {
            interleaved.add(list.get(i));
          }
        }
      }
      return interleaved;
    });
  }
}
