package dev.odin.ws.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odin.ws.api.DrainStatus;
import dev.odin.ws.api.ShardStats;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import dev.odin.ws.api.WsClusterStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Pure decisions about a drain kept in {@code status.drain}: how many replicas now, and whether a drain is done. */
public final class DrainProgress {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DrainProgress() {}

  /** A copy (the cached resource stays untouched) of the drain in the status, if one of {@code reason} is on. */
  public static Optional<DrainStatus> current(WsCluster cr, DrainStatus.Reason reason) {
    return Optional.ofNullable(cr.getStatus()).map(WsClusterStatus::getDrain)
        .filter(d -> d.getReason() == reason)
        .map(d -> JSON.convertValue(d, DrainStatus.class));
  }

  /**
   * Replicas the StatefulSet should have now. A scale-down keeps the old count until its drain is done, and a drain
   * that has started is finished whatever spec.shards says meanwhile: a shard told to drain never takes clients
   * again, so it is removed and, if the count goes up again, replaced by a fresh pod.
   */
  public static int replicasNow(WsCluster cr, int desired, Integer current) {
    Optional<DrainStatus> drain = current(cr, DrainStatus.Reason.ScaleDown);
    if (drain.isPresent()) {
      return Boolean.TRUE.equals(drain.get().getDrained()) ? drain.get().getToShards() : drain.get().getFromShards();
    }
    if (current == null || desired >= current) {
      return desired;
    }
    return current;
  }

  /** Indices recorded as asked to drain. */
  public static Set<Integer> asked(DrainStatus drain) {
    Set<Integer> out = new TreeSet<>();
    drain.getShards().forEach(s -> out.add(s.getIndex()));
    return out;
  }

  /**
   * Shards recorded as asked that answer they are not draining: the ask never reached them (the operator that
   * recorded it stopped before sending it, or the request was lost) or their pod restarted since. A shard that does
   * not answer is not among them: nothing is known of it, and its window decides.
   */
  public static List<Integer> unheard(DrainStatus drain, Map<Integer, Optional<ShardStats>> stats) {
    List<Integer> out = new ArrayList<>();
    for (int index : asked(drain)) {
      if (stats.getOrDefault(index, Optional.empty()).map(s -> !s.draining()).orElse(false)) {
        out.add(index);
      }
    }
    return out;
  }

  /** Moves the time shard {@code index} was asked to {@code now}: its window starts when it really hears. */
  public static void recordAskedAgain(DrainStatus drain, int index, Instant now) {
    drain.getShards().stream().filter(s -> s.getIndex() == index).forEach(s -> s.setSince(now.toString()));
  }

  /** Records that shard {@code index} was asked to drain at {@code now}. */
  public static void recordAsked(DrainStatus drain, int index, Instant now) {
    drain.getShards().add(new DrainStatus.ShardDrain(index, now.toString()));
  }

  /**
   * Whether every shard of the drain is done: it said it has no connections left, it has no running pod (nothing
   * can hold a client), or its window (drain.seconds from when it was asked) has passed. A shard that did not
   * answer may still hold clients: it waits for its window. A shard not yet asked is not done.
   */
  public static boolean done(WsCluster cr, DrainStatus drain, Set<Integer> shards,
      Map<Integer, Optional<ShardStats>> stats, Set<Integer> running, Instant now) {
    Duration window = Duration.ofSeconds(WsClusterDefaults.drainSeconds(cr));
    for (int index : shards) {
      Optional<DrainStatus.ShardDrain> asked = drain.getShards().stream()
          .filter(s -> s.getIndex() == index).findFirst();
      if (asked.isEmpty()) {
        return false;
      }
      boolean empty = !running.contains(index)
          || stats.getOrDefault(index, Optional.empty()).map(s -> s.connections() == 0).orElse(false);
      boolean windowOver = !now.isBefore(Instant.parse(asked.get().getSince()).plus(window));
      if (!empty && !windowOver) {
        return false;
      }
    }
    return true;
  }
}
